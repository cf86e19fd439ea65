/**
 * Measures (does not assert) the PII and secrets visitors' throughput on about 50 MB of chat
 * records, parsed already (the pass hands visitors parsed records): once with no PII, once with
 * PII and tokens in one record in ten. Run:
 *   npx tsx test/analysis/scan/pii/scan-throughput.measure.ts
 */
import { createPiiVisitor } from '../../../../lambdas/analysis/scan/pii/index.js';
import { createSecretsVisitor } from '../../../../lambdas/analysis/scan/secrets/index.js';
import type { RecordVisitor } from '../../../../lambdas/analysis/types.js';
import { chatExample } from '../../metadata/chat-fixtures.js';

const TARGET_BYTES = 50e6;
const pii = [
  'card 4111 1111 1111 1111',
  'ssn 536-22-1234',
  'mail john.doe@example.com',
  'call +1 (415) 555-2671',
  'from 203.0.113.77',
  'IBAN GB82 WEST 1234 5698 7654 32',
  `key AKIA${'IOSFODNN7EXAMPLE'}`,
];

function records(withPii: boolean): { records: unknown[]; bytes: number } {
  const out: unknown[] = [];
  let bytes = 0;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const record = chatExample(20 + (i % 200), i);
    if (withPii && i % 10 === 0) {
      const user = record.messages[1] as { content: string };
      user.content += ` My details: ${pii[i % pii.length]} on 2024-05-01 at 10:30.`;
    }
    bytes += Buffer.byteLength(JSON.stringify(record)) + 1;
    out.push(record);
  }
  return { records: out, bytes };
}

function measure(name: string, data: { records: unknown[]; bytes: number }, make: () => RecordVisitor) {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const visitor = make();
    const start = performance.now();
    data.records.forEach((record, index) => {
      visitor.onRecord(record, { line: index + 1, index });
    });
    best = Math.min(best, performance.now() - start);
  }
  console.log(
    `${name.padEnd(36)} ${(data.bytes / 1e6).toFixed(1)} MB  ${best.toFixed(0).padStart(6)} ms  ${(data.bytes / 1e6 / (best / 1000)).toFixed(0).padStart(5)} MB/s`,
  );
}

for (const withPii of [false, true]) {
  const data = records(withPii);
  const label = withPii ? 'with PII (1 record in 10)' : 'without PII';
  measure(`PII visitor, ${label}`, data, createPiiVisitor);
  measure(`secrets visitor, ${label}`, data, createSecretsVisitor);
}
