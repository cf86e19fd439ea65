import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidateGate, scanCandidates } from '../../../lambdas/analysis/scan/pii/find-pii.js';
import { createRecordScanner } from '../../../lambdas/analysis/scan/record-scanner.js';
import { mayHaveSecretKeyword, secretKeywords } from '../../../lambdas/analysis/scan/secrets/rules.js';

/**
 * The cheap gates in front of the scanners skip a string only when the expensive expression could
 * not match it: a gate that missed a match would silently drop a finding. Strings are built from
 * the pieces the expressions are made of, so that matches are frequent, not luck.
 */
const piiPieces = fc.constantFrom(
  ...'0123456789'.split(''),
  ' ',
  '-',
  '.',
  '(',
  ')',
  '+',
  ':',
  'A',
  'B',
  'C',
  'G',
  'Z',
  'a',
  'b',
  'c',
  'x',
  'z',
  'bc1',
  'BC1',
  '0x',
  'DE89',
  '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
  'ffffffffff',
  '4111 1111 1111 1111',
  '4111111111111111',
  '078-05-1120',
  '536-22-4721',
  '192.168.0.1',
  '+1 415 555 2671',
  '(415) 555-2671',
  '+14155552671',
  '+44 20 7946 0958',
  'DE89370400440532013000',
  'GB82 WEST 1234 5698 7654 32',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy',
);
const secretPieces = fc.constantFrom(
  'A',
  'K',
  'I',
  'S',
  'B',
  'C',
  '3',
  'z',
  'a',
  'e',
  'y',
  'J',
  'x',
  'o',
  'p',
  'i',
  't',
  'k',
  's',
  'r',
  'g',
  'h',
  'l',
  'G',
  '_',
  '-',
  '.',
  ' ',
  'cret',
  'CRET',
  'ecret',
  'SECRET',
  'ccess',
  'Access',
  'aws',
  'AWS',
  'PRIVATE',
  'KEY',
  'hooks',
  'slack',
  'pypi',
  'npm',
  'api',
  'org',
  'lpat',
  'hub',
  'pat',
  'app',
  'ox',
  'ey',
  'hf',
  'HF',
  'sk',
  'rk',
  'gh',
  'SG',
);
/** Whole credentials whose keyword needs capitals (built at run time: no token-shaped literal in the repo). */
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const repeat = (alphabet: string, count: number) =>
  Array.from({ length: count }, (_, i) => alphabet[(i * 7) % alphabet.length]).join('');
const wholeSecrets = fc.constantFrom(
  `AKIA${repeat(upper, 16)}`,
  `AIza${repeat(`${upper}abc`, 35)}`,
  `SG.${repeat(`${upper}xyz`, 66)}`,
  `-----BEGIN RSA PRIVATE KEY-----\n${repeat(`${upper}abc`, 64)}`,
  `eyJ${repeat(`${upper}abc`, 20)}.eyJ${repeat(`${upper}def`, 20)}.${repeat(`${upper}ghi`, 12)}`,
);
const textOf = (pieces: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.array(pieces, { maxLength: 60 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 120 }),
  );

describe('the scanners’ cheap gates', () => {
  it('let every string through in which a PII candidate is reported', () => {
    fc.assert(
      fc.property(textOf(piiPieces), (text) => {
        // Prepare
        const reported: string[] = [];

        // Act
        scanCandidates(text, (type) => reported.push(type));

        // Assess
        if (reported.length > 0) expect(candidateGate.test(text)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('let every string through in which a secret keyword matches', () => {
    fc.assert(
      fc.property(textOf(secretPieces), (text) => {
        // Act
        const keyword = secretKeywords.test(text);

        // Assess
        if (keyword) expect(mayHaveSecretKeyword(text)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('find the same credentials when a JSONL line is checked once for all its strings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('text', 'aws_secret_access_key', 'note'),
          fc.oneof(
            textOf(secretPieces),
            fc.tuple(textOf(secretPieces), wholeSecrets).map(([text, secret]) => `${text} ${secret} `),
          ),
          {
            minKeys: 1,
          },
        ),
        fc.boolean(),
        (record, escapeCapitals) => {
          // Prepare: the line as JSON writes it, or with every capital letter as a \u escape
          const plain = JSON.stringify({ messages: [{ role: 'user', content: record.text }], ...record });
          const line = escapeCapitals
            ? plain.replace(/[A-Z]/g, (char) => `\\u00${char.charCodeAt(0).toString(16)}`)
            : plain;
          const parsed = JSON.parse(line) as unknown;
          const withLine = createRecordScanner();
          const withoutLine = createRecordScanner();

          // Act
          withLine.onRecord(parsed, { line: 1, index: 0, text: line });
          withoutLine.onRecord(parsed, { line: 1, index: 0 });

          // Assess
          expect(withLine.secrets()).toEqual(withoutLine.secrets());
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('skip prose without candidates or keywords', () => {
    // Prepare
    const prose = 'Question 1234567: the model answers in 3 steps since 2024, with a summary of the context.';

    // Act, Assess
    expect(candidateGate.test(prose)).toBe(false);
    expect(mayHaveSecretKeyword(prose)).toBe(false);
  });
});
