import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPiiVisitor } from '../../../../lambdas/analysis/scan/pii/index.js';
import { createSecretsVisitor } from '../../../../lambdas/analysis/scan/secrets/index.js';

/** Strings biased towards the characters candidates are made of. */
const candidateText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.constantFrom(
        '4',
        '1',
        '0',
        '9',
        ' ',
        '-',
        '.',
        ':',
        '@',
        '+',
        '(',
        ')',
        'A',
        'K',
        'I',
        'x',
        'b',
        'c',
        'G',
        'B',
        '_',
        '\\n',
      ),
      { maxLength: 200 },
    )
    .map((chars) => chars.join('')),
);

describe('the scanners on arbitrary input', () => {
  it('never throw, and never return more samples than findings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          candidateText,
          fc.jsonValue(),
          fc.array(candidateText).map((texts) => ({ texts })),
        ),
        (record) => {
          // Prepare
          const pii = createPiiVisitor();
          const secrets = createSecretsVisitor();

          // Act
          pii.onRecord(record, { line: 1, index: 0 });
          secrets.onRecord(record, { line: 1, index: 0 });

          // Assess
          for (const summary of [pii.summary(), secrets.summary()]) {
            expect(summary.samples.length).toBeLessThanOrEqual(summary.total);
            expect(Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(summary.total);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('stop at the depth bound instead of overflowing the stack', () => {
    // Prepare
    let record: unknown = '4111 1111 1111 1111';
    for (let i = 0; i < 100_000; i++) record = [record];

    // Act
    const pii = createPiiVisitor();
    pii.onRecord(record, { line: 1, index: 0 });

    // Assess
    expect(pii.summary().total).toBe(0);
  });
});
