import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearPattern } from '../../../lambdas/analysis/schema/linear-regexp.js';
import { estimateProgramSize } from '../../../lambdas/analysis/schema/program-size.js';

describe('estimateProgramSize', () => {
  it.each([
    ['abc', 3],
    ['a{1000}', 1000],
    ['a{0,1000}', 2000],
    ['a{2,}', 3],
    ['a{2,5}?', 8],
    ['(a)*', 5],
    ['(?<id>a|bc)+', 7],
    ['(?:a|b|c)?', 6],
    ['[\\]a(]\\u{1F600}\\uD83D\\uDE00\\p{L}.^$', 7],
    ['(?:(?:a){1000}){1000}', 1_000_000],
  ])('counts %j as %i instructions, as RE2 estimates them', (pattern, size) => {
    expect(estimateProgramSize(pattern)).toBe(size);
  });

  it('grows to Infinity, never NaN, for repeats nested beyond floating point', () => {
    const pattern = `${'(?:'.repeat(110)}a${'){1000}'.repeat(110)}`;

    expect(estimateProgramSize(pattern)).toBe(Number.POSITIVE_INFINITY);
  });

  it('stays at most a few instructions under the compiled size, so no large program is compiled unseen', () => {
    const atom = fc.constantFrom(
      'a',
      'xyz',
      '.',
      '\\d',
      '[^a]',
      '\\p{L}',
      '\\b',
      '^',
      '$',
      '(?:ab|cd)',
      '[]',
    );
    const quantifier = fc.constantFrom('', '*', '+', '?', '{3}', '{0,20}', '{2,}', '{1,5}?');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => (/^[\^$]|\\b/.test(a) ? a : a + q));
    const group = fc
      .tuple(
        fc.constantFrom('(', '(?:', '(?<n>'),
        fc.array(piece, { minLength: 1, maxLength: 3 }),
        quantifier,
      )
      .map(([open, inner, q]) => `${open}${inner.join('|')})${q}`);
    const pattern = fc.array(fc.oneof(piece, group), { minLength: 1, maxLength: 5 }).map((p) => p.join(''));

    fc.assert(
      fc.property(pattern, (p) => {
        let compiled: number;
        try {
          compiled = compileLinearPattern(p).programSize();
        } catch {
          return; // above the cap, or not ECMA-262 (a quantified group of assertions)
        }
        expect(compiled).toBeLessThanOrEqual(estimateProgramSize(p) + 25);
      }),
      { numRuns: 500 },
    );
  });
});
