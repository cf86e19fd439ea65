import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../lambdas/analysis/formats/detect-format.js';
import { createSchemaVisitor } from '../../../lambdas/analysis/schema/schema-visitor.js';
import type { Finding } from '../../../lambdas/analysis/types.js';
import { parse } from './parse-helpers.js';

const formats = ['jsonl', 'json', 'csv', 'tsv'] as const;

/** Bytes biased towards the characters that matter to the parsers. */
const datasetBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        '"',
        ',',
        '\t',
        '\n',
        '\r',
        ':',
        'a',
        '1',
        ' ',
        '\\',
        'é',
        '🎉',
        '\uFEFF',
      ),
      {
        maxLength: 200,
      },
    )
    .map((chars) => Buffer.from(chars.join(''))),
);

describe('parsers on arbitrary bytes', () => {
  it('never throw, whatever the bytes and the chunking, and agree with a single push', async () => {
    await fc.assert(
      fc.asyncProperty(
        datasetBytes,
        fc.integer({ min: 1, max: 17 }),
        fc.constantFrom(...formats),
        async (bytes, chunkBytes, format) => {
          // Act
          const visitor = createSchemaVisitor({ kind: 'auto' }, { report: () => undefined });
          const chunked = await parse(format, bytes, { chunkBytes, visitors: [visitor] });
          const whole = await parse(format, bytes);

          // Assess
          // A UTF-8 error may be seen before or after a syntax error, depending on the chunking.
          const byLine = (a: Finding, b: Finding) =>
            (a.line ?? 0) - (b.line ?? 0) || a.code.localeCompare(b.code);
          expect([...chunked.findings].sort(byLine)).toEqual([...whole.findings].sort(byLine));
          expect(chunked.count).toBe(whole.count);
          expect(chunked.ends).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('detectFormat never throws', () => {
    fc.assert(
      fc.property(
        datasetBytes,
        fc.constantFrom('a.jsonl', 'a.json', 'a.csv', 'a.tsv', 'a.txt', 'a'),
        (bytes, name) => {
          detectFormat(name, bytes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
