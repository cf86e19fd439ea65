/**
 * Message and token statistics of chat datasets (records with a `messages` array).
 *
 * Why a sample: a BPE tokenizer runs at tens of MB/s on English text (a few MB/s on CJK or
 * emoji), far below the hundreds of MB/s of the rest of the pass, so tokenizing every example
 * would set the speed of the whole analysis. What is exact and what is estimated:
 *
 * - `messagesPerExample`: exact, every example.
 * - Tokens: a deterministic sample of `sampleSize` examples is tokenized: the first half of it is
 *   the first examples of the file, the second half a uniform reservoir sample (Vitter's
 *   algorithm R, seeded, so a file always gives the same report) of all the examples after them.
 *   Totals are a stratified estimate: exact sum of the head + (examples after the head) x mean of
 *   the reservoir. With at most `sampleSize` examples, every example is tokenized and the figures
 *   are exact (`estimated: false`). An example is tokenized when it enters the reservoir, so
 *   about k + k ln(n/k) examples are tokenized for n examples and a reservoir of k.
 * - Examples over `maxExampleTokens`: exact, none is missed. An example outside the sample is
 *   tokenized only when a sound upper bound of its tokens (its UTF-8 bytes plus framing: every
 *   token of these byte-level encodings covers at least one byte) is above the limit. English is
 *   about 4 bytes per token, so only examples above roughly a quarter of the limit are tokenized
 *   that way; a dataset made only of such long examples is tokenized whole (slower, still exact).
 *   A ratio such as characters / 2 would be cheaper but is not a bound: CJK text and emoji take
 *   more than one token per character, and such examples would be missed.
 * - `min`/`max`: over every tokenized example. `max` is exact when an example is over the limit
 *   (every example not tokenized is below the limit by the bound); otherwise it is the sample's.
 */
import type { ChatStatistics, FindingSink, NumberStats, RecordLocation, RecordVisitor } from '../types.js';
import { numberStats } from './number-stats.js';
import { chatTokenCounter, type ExampleTokens, type TokenEncoding } from './tokens.js';

/** Token limit per example: the 16,385-token context of the models most often fine-tuned. */
export const DEFAULT_MAX_EXAMPLE_TOKENS = 16_385;
/** Examples tokenized per file; more examples than this are estimated from the sample. */
export const DEFAULT_TOKEN_SAMPLE_SIZE = 2_000;

export interface ChatStatisticsOptions {
  /** Examples above this many tokens get an `EXAMPLE_TOO_LONG` warning. @default 16385 */
  maxExampleTokens?: number;
  /** @default 'o200k_base' - the encoding of GPT-4o, GPT-4.1, GPT-5 and the o-series */
  encoding?: TokenEncoding;
  /** Examples tokenized in total (first half: head of the file, second half: reservoir). @default 2000 */
  sampleSize?: number;
}

export type ChatStatisticsVisitor = RecordVisitor & {
  /** The statistics, or `undefined` when no record had a `messages` array. */
  statistics(): ChatStatistics | undefined;
};

/** Fixed seed: the reservoir, and so the report, is the same every time a file is analyzed. */
const SAMPLE_SEED = 0x9e3779b9;

export function createChatStatisticsVisitor(
  findings: FindingSink,
  options: ChatStatisticsOptions = {},
): ChatStatisticsVisitor {
  const maxExampleTokens = options.maxExampleTokens ?? DEFAULT_MAX_EXAMPLE_TOKENS;
  const requestedSample = Math.floor(options.sampleSize ?? DEFAULT_TOKEN_SAMPLE_SIZE);
  const sampleSize = Number.isFinite(requestedSample)
    ? Math.max(1, requestedSample)
    : DEFAULT_TOKEN_SAMPLE_SIZE;
  const headSize = Math.ceil(sampleSize / 2);
  const reservoirSize = sampleSize - headSize;
  const counter = chatTokenCounter(options.encoding ?? 'o200k_base');
  const random = mulberry32(SAMPLE_SEED);

  const messagesPerExample = numberStats();
  const tokenized = numberStats();
  let headTokens = 0;
  let headBillable = 0;
  const reservoirTokens = new Float64Array(reservoirSize);
  const reservoirBillable = new Float64Array(reservoirSize);
  let examples = 0;
  let overLimit = 0;

  const tokenize = (messages: readonly unknown[], at: RecordLocation): ExampleTokens => {
    const tokens = counter.count(messages);
    tokenized.add(tokens.total);
    if (tokens.total > maxExampleTokens) reportTooLong(tokens.total, at);
    return tokens;
  };

  const reportTooLong = (tokens: number, at: RecordLocation) => {
    overLimit++;
    findings.report({
      severity: 'warning',
      code: 'EXAMPLE_TOO_LONG',
      message:
        `The example has ${tokens} tokens (${counter.encoding}), more than the limit of ${maxExampleTokens}; ` +
        'fine-tuning truncates or drops examples longer than the context. Shorten or split it.',
      line: at.line,
      field: 'messages',
    });
  };

  return {
    onRecord(record, at) {
      if (record === null || typeof record !== 'object') return;
      const messages = (record as { messages?: unknown }).messages;
      if (!Array.isArray(messages)) return;
      const index = examples++;
      messagesPerExample.add(messages.length);

      if (index < headSize) {
        const tokens = tokenize(messages, at);
        headTokens += tokens.total;
        headBillable += tokens.billable;
        return;
      }
      // Algorithm R over the examples after the head: the j-th enters with probability k / (j + 1).
      const j = index - headSize;
      const slot = j < reservoirSize ? j : Math.floor(random() * (j + 1));
      if (slot < reservoirSize) {
        const tokens = tokenize(messages, at);
        reservoirTokens[slot] = tokens.total;
        reservoirBillable[slot] = tokens.billable;
      } else if (counter.mayExceed(messages, maxExampleTokens)) {
        tokenize(messages, at);
      }
    },

    statistics() {
      const messageStats = messagesPerExample.stats();
      const tokenRange = tokenized.stats();
      if (!messageStats || !tokenRange) return undefined;
      const headCount = Math.min(examples, headSize);
      const restCount = examples - headCount;
      const inReservoir = Math.min(restCount, reservoirSize);
      const estimated = restCount > inReservoir;
      // The rest of the file at the reservoir's mean; with no reservoir, at the head's mean.
      const restTokens =
        inReservoir > 0
          ? (sum(reservoirTokens, inReservoir) / inReservoir) * restCount
          : (headTokens / headCount) * restCount;
      const restBillable =
        inReservoir > 0
          ? (sum(reservoirBillable, inReservoir) / inReservoir) * restCount
          : (headBillable / headCount) * restCount;
      const totalTokens = roundIf(estimated, headTokens + restTokens);
      const tokensPerExample: NumberStats = {
        min: tokenRange.min,
        mean: totalTokens / examples,
        max: tokenRange.max,
        total: totalTokens,
      };
      return {
        messagesPerExample: messageStats,
        tokensPerExample: {
          ...tokensPerExample,
          encoding: counter.encoding,
          sampledExamples: headCount + inReservoir,
          estimated,
        },
        billableTrainingTokensPerEpoch: roundIf(estimated, headBillable + restBillable),
        examplesOverTokenLimit: overLimit,
      };
    },
  };
}

function sum(values: Float64Array, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += values[i] as number;
  return total;
}

function roundIf(estimated: boolean, value: number): number {
  return estimated ? Math.round(value) : value;
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1), deterministic for a seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
