/**
 * Measures (does not assert) what the metadata visitors cost per record, on 100,000 generated
 * chat records parsed from JSONL text, as the pass sees them. Run:
 *   npx tsx test/analysis/metadata/visitor-cost.measure.ts
 */
import { createChatStatisticsVisitor } from '../../../lambdas/analysis/metadata/chat-statistics.js';
import { createFieldTypesVisitor } from '../../../lambdas/analysis/metadata/field-types.js';
import { createLabelsVisitor } from '../../../lambdas/analysis/metadata/labels.js';
import type { RecordVisitor } from '../../../lambdas/analysis/types.js';
import { chatExample, recordingSink } from './chat-fixtures.js';

const RECORDS = 100_000;
const lines = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(chatExample(20 + (i % 200), i)));
const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
const records = lines.map((line) => JSON.parse(line) as unknown);

function run(name: string, makeVisitors: () => RecordVisitor[], parse: boolean): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const visitors = makeVisitors();
    const start = performance.now();
    for (let i = 0; i < RECORDS; i++) {
      const record = parse ? JSON.parse(lines[i] as string) : records[i];
      const at = { line: i + 1, index: i };
      for (const visitor of visitors) visitor.onRecord(record, at);
    }
    for (const visitor of visitors) visitor.onEnd?.();
    best = Math.min(best, performance.now() - start);
  }
  const perSecond = RECORDS / (best / 1000);
  console.log(
    `${name.padEnd(44)} ${best.toFixed(0).padStart(6)} ms  ${Math.round(perSecond).toLocaleString('en').padStart(11)} records/s  ` +
      `${(bytes / 1e6 / (best / 1000)).toFixed(0).padStart(5)} MB/s  ${((best * 1e6) / RECORDS).toFixed(0).padStart(6)} ns/record`,
  );
  return best;
}

console.log(`${RECORDS} chat records, ${(bytes / 1e6).toFixed(1)} MB of JSONL`);
run('no visitor (records already parsed)', () => [], false);
run('chat statistics (sample 2,000)', () => [createChatStatisticsVisitor(recordingSink())], false);
run(
  'chat statistics (sample 1: per-record path)',
  () => [createChatStatisticsVisitor(recordingSink(), { sampleSize: 1 })],
  false,
);
run('field types', () => [createFieldTypesVisitor()], false);
run('labels', () => [createLabelsVisitor()], false);
run('JSON.parse only', () => [], true);
run(
  'JSON.parse + all three',
  () => [createChatStatisticsVisitor(recordingSink()), createFieldTypesVisitor(), createLabelsVisitor()],
  true,
);
run('JSON.parse + chat statistics', () => [createChatStatisticsVisitor(recordingSink())], true);

// Long examples: above limit / 3 characters the UTF-8 bound is measured; above the limit in
// bytes (about a quarter of the limit in English tokens) the example is tokenized.
for (const answerWords of [1_000, 3_000]) {
  const long = Array.from({ length: 2_000 }, (_, i) => chatExample(answerWords, i));
  const longBytes = long.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0);
  const visitor = createChatStatisticsVisitor(recordingSink(), { sampleSize: 1 });
  const start = performance.now();
  long.forEach((record, i) => {
    visitor.onRecord(record, { line: i + 1, index: i });
  });
  const ms = performance.now() - start;
  console.log(
    `2,000 examples of ${(longBytes / 2_000 / 1000).toFixed(1)} KB, chat statistics: ${ms.toFixed(0)} ms, ` +
      `${(longBytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s, mean ${visitor.statistics()?.tokensPerExample.mean.toFixed(0)} tokens`,
  );
}
