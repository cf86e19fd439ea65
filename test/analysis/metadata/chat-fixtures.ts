import type { Finding, FindingSink, RecordLocation, RecordVisitor } from '../../../lambdas/analysis/types.js';

/** A findings sink that keeps everything, for assertions. */
export function recordingSink(): FindingSink & { findings: Finding[] } {
  const findings: Finding[] = [];
  return { findings, report: (finding) => findings.push(finding) };
}

/** Feeds records to a visitor as the pass does: one record per line, then `onEnd`. */
export function feed(visitor: RecordVisitor, records: Iterable<unknown>): void {
  let index = 0;
  for (const record of records) {
    const at: RecordLocation = { line: index + 1, index };
    visitor.onRecord(record, at);
    index++;
  }
  visitor.onEnd?.();
}

const WORDS = 'upload chunk dataset token model resume byte stream lambda bucket record field label'.split(
  ' ',
);

/** Deterministic words: `count` of them, starting at `seed`. */
export function words(count: number, seed: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[(seed * 7 + i * 3) % WORDS.length] as string);
  return out.join(' ');
}

/** A chat example: system, user, assistant, with the given number of words in the answer. */
export function chatExample(answerWords: number, seed: number) {
  return {
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: `Question ${seed}: ${words(5, seed)}?` },
      { role: 'assistant', content: words(answerWords, seed) },
    ],
  };
}
