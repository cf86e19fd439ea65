/**
 * Token counts of chat examples, the way fine-tuning data-prep counts them.
 *
 * The formula follows OpenAI's cookbook ("How to count tokens with tiktoken",
 * `num_tokens_from_messages`, reused by "Data preparation and analysis for chat model
 * fine-tuning"): every message costs {@link TOKENS_PER_MESSAGE} tokens of framing
 * (`<|start|>{role}<|message|>...<|end|>`), plus the tokens of its text values, plus
 * {@link TOKENS_PER_NAME} when it carries a `name`; every example adds
 * {@link REPLY_PRIMING_TOKENS} for the reply priming (`<|start|>assistant<|message|>`):
 *
 *   tokens(example) = 3 + Σ over messages [ 3 + tokens(role) + tokens(content text)
 *                       + (name ? tokens(name) + 1 : 0)
 *                       + Σ over tool calls (tokens(function.name) + tokens(function.arguments)) ]
 *
 * Content text is the string content, or the `text` of each content part (images and audio are
 * not counted). Legacy `function_call` is counted like a tool call. Tool definitions (`tools`),
 * ids and `weight` are not counted. Each value is encoded on its own, as the cookbook does.
 *
 * Billable tokens of an example are the tokens of the content and tool calls of its assistant
 * messages whose `weight` is not 0 (the messages training learns from), without framing. That is
 * an estimate: how a provider bills (all tokens of the file, trained tokens, per epoch) may
 * differ, and the framing of a given model's chat template may differ by a few tokens.
 *
 * Text that looks like a special token (`<|endoftext|>`) is counted as ordinary text, as user
 * data is: the encoders are called with an empty `disallowedSpecial` set, so they never throw.
 */
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * The encoding counted with: o200k_base (GPT-4o and later). Only one encoding is bundled: each
 * costs about 16-40 MB of memory and a fraction of a second of cold start in AnalyzeFile.
 */
export type TokenEncoding = 'o200k_base';

/** Framing tokens of every message (cookbook: `tokens_per_message = 3`). */
export const TOKENS_PER_MESSAGE = 3;
/** Extra token when a message has a `name` (cookbook: `tokens_per_name = 1`). */
export const TOKENS_PER_NAME = 1;
/** Reply priming added once per example (cookbook: `num_tokens += 3`). */
export const REPLY_PRIMING_TOKENS = 3;

export interface ExampleTokens {
  /** All tokens of the example, framing included. */
  total: number;
  /** Tokens of assistant messages with weight != 0 (content and tool calls, no framing). */
  billable: number;
}

export interface ChatTokenCounter {
  readonly encoding: TokenEncoding;
  /** Tokenizes the example and counts it with the formula above. */
  count(messages: readonly unknown[]): ExampleTokens;
  /**
   * Whether the example may have more than `limit` tokens, without tokenizing it. Sound: it
   * never answers `false` for an example above the limit (see {@link exampleTokenUpperBound}).
   */
  mayExceed(messages: readonly unknown[], limit: number): boolean;
}

const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

const COUNTERS: Record<TokenEncoding, (text: string) => number> = {
  o200k_base: (text) => countO200k(text, ENCODE_OPTIONS),
};

/** A counter for the encoding, loaded when this module is imported. */
export function chatTokenCounter(encoding: TokenEncoding = 'o200k_base'): ChatTokenCounter {
  const countText = COUNTERS[encoding];
  if (!countText) throw new RangeError(`Unknown token encoding: ${String(encoding)}`);
  return {
    encoding,
    count: (messages) => countExample(messages, countText),
    mayExceed(messages, limit) {
      // Stage 1 costs only string lengths; stage 2 measures UTF-8 bytes, only when needed.
      if (exampleTokenUpperBound(messages, utf16UnitsBound) <= limit) return false;
      return exampleTokenUpperBound(messages, utf8Bytes) > limit;
    },
  };
}

function countExample(messages: readonly unknown[], countText: (text: string) => number): ExampleTokens {
  let total = REPLY_PRIMING_TOKENS;
  let billable = 0;
  for (const message of messages) {
    if (message === null || typeof message !== 'object') continue;
    const m = message as Record<string, unknown>;
    let framing = TOKENS_PER_MESSAGE;
    if (typeof m.role === 'string') framing += countText(m.role);
    if (typeof m.name === 'string') framing += countText(m.name) + TOKENS_PER_NAME;
    let body = 0;
    forEachBodyText(m, (text) => {
      body += countText(text);
    });
    total += framing + body;
    if (m.role === 'assistant' && m.weight !== 0) billable += body;
  }
  return { total, billable };
}

/**
 * An upper bound of the formula's count without tokenizing. The encodings are byte-level BPE:
 * every token stands for at least one UTF-8 byte, so the tokens of a text are at most its UTF-8
 * bytes (`utf8Bytes`), and a UTF-16 code unit is at most 3 UTF-8 bytes (`utf16UnitsBound`, a
 * cheaper and looser bound). Framing is added exactly as the formula does.
 */
export function exampleTokenUpperBound(
  messages: readonly unknown[],
  bound: (text: string) => number,
): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    if (message === null || typeof message !== 'object') continue;
    const m = message as Record<string, unknown>;
    total += TOKENS_PER_MESSAGE;
    if (typeof m.role === 'string') total += bound(m.role);
    if (typeof m.name === 'string') total += bound(m.name) + TOKENS_PER_NAME;
    forEachBodyText(m, (text) => {
      total += bound(text);
    });
  }
  return total;
}

const utf16UnitsBound = (text: string): number => text.length * 3;
const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Calls `visit` with each text of a message that the formula counts, besides role and name. */
function forEachBodyText(message: Record<string, unknown>, visit: (text: string) => void): void {
  const content = message.content;
  if (typeof content === 'string') {
    visit(content);
  } else if (Array.isArray(content)) {
    for (const part of content) {
      if (part !== null && typeof part === 'object') {
        const text = (part as Record<string, unknown>).text;
        if (typeof text === 'string') visit(text);
      }
    }
  }
  const toolCalls = message.tool_calls;
  if (Array.isArray(toolCalls)) {
    for (const call of toolCalls) {
      if (call !== null && typeof call === 'object')
        visitFunction((call as Record<string, unknown>).function, visit);
    }
  }
  visitFunction(message.function_call, visit);
}

function visitFunction(fn: unknown, visit: (text: string) => void): void {
  if (fn === null || typeof fn !== 'object') return;
  const { name, arguments: args } = fn as Record<string, unknown>;
  if (typeof name === 'string') visit(name);
  if (typeof args === 'string') visit(args);
}
