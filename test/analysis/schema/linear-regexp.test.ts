import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCustomSchema } from '../../../lambdas/analysis/schema/custom-schema.js';
import {
  compileLinearPattern,
  UnsupportedPatternError,
} from '../../../lambdas/analysis/schema/linear-regexp.js';

const at = { line: 3, index: 2 };

describe('compileLinearPattern', () => {
  it.each([
    ['(a)\\1', 'uses a backreference (\\1)'],
    ['(?<q>["\'])x\\k<q>', 'uses a named backreference (\\k<...>)'],
    ['^(?=.*\\d)\\w+$', 'uses a lookahead ((?=...))'],
    ['^(?!tmp)', 'uses a lookahead ((?!...))'],
    ['(?<=\\$)\\d+', 'uses a lookbehind ((?<=...))'],
    ['(?<!-)\\d+', 'uses a lookbehind ((?<!...))'],
  ])('refuses %j, saying it %s and how to rewrite it', (pattern, reason) => {
    const attempt = () => compileLinearPattern(pattern);

    expect(attempt).toThrow(UnsupportedPatternError);
    expect(attempt).toThrow(`The pattern ${JSON.stringify(pattern)} ${reason}: patterns run on RE2`);
    expect(attempt).toThrow(/Rewrite the pattern without them/);
  });

  it('refuses a pattern that is not ECMA-262 with the u flag, though RE2 would take it', () => {
    expect(() => compileLinearPattern('(?P<year>\\d{4})')).toThrow(
      /is not a valid ECMA-262 regular expression with the "u" flag .*fix its syntax/,
    );
  });

  it('refuses a pattern RE2 cannot compile, saying which syntax both accept', () => {
    expect(() => compileLinearPattern('\\p{Letter}+')).toThrow(
      /cannot be compiled by RE2.*short names such as \\p\{L\}/,
    );
  });

  it('does not take a class or an escaped parenthesis for lookaround or a backreference', () => {
    expect(compileLinearPattern('[(?=]\\(\\?=').test('=(?=')).toBe(true);
    expect(compileLinearPattern('^\\\\1$').test('\\1')).toBe(true);
    expect(compileLinearPattern('(?<year>\\d{4})-(?:\\d{2})').test('2026-11')).toBe(true);
  });

  it.each([
    ['.', '\r', false],
    ['.', '\u2028', false],
    ['.', 'é', true],
    ['[.]', 'x', false],
    ['^\\s$', '\u00a0', true],
    ['^\\s$', '\u3000', true],
    ['^\\S$', '\ufeff', false],
    ['^[^\\s]$', '\u2003', false],
    ['^[\\s\\S]$', '\n', true],
    ['^[\\b]$', '\b', true],
    ['^\\uD83D\\uDE00$', '😀', true],
    ['^[\\uD83D\\uDE00-\\uD83D\\uDE4F]$', '😃', true],
    ['^\\u{1F600}$', '😀', true],
    ['^\\p{Lu}\\p{Ll}+$', 'Été', true],
    ['^a$', 'a\n', false],
    ['\\bcat\\b', 'a cat.', true],
  ])('gives %j the meaning ECMA-262 gives it on %j (%s)', (pattern, input, expected) => {
    expect(new RegExp(pattern, 'u').test(input)).toBe(expected);
    expect(compileLinearPattern(pattern).test(input)).toBe(expected);
  });

  it('agrees with JavaScript RegExp on generated patterns and strings', () => {
    const atom = fc.constantFrom(
      'a',
      'b',
      '.',
      '\\s',
      '\\S',
      '\\d',
      '\\w',
      '\\W',
      '[ab]',
      '[^a\\s]',
      '[\\s\\d]',
      '\\.',
      '\\u00e9',
      '\\p{L}',
      '\\bb',
    );
    const quantifier = fc.constantFrom('', '*', '+', '?', '{1,2}', '*?');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => a + q);
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.array(
          fc.oneof(
            piece,
            fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => `(${p.join('')})`),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.boolean(),
        fc.boolean(),
      )
      .map(
        ([start, pieces, alternative, end]) =>
          `${start ? '^' : ''}${pieces.join(alternative ? '|' : '')}${end ? '$' : ''}`,
      );
    const input = fc
      .array(fc.constantFrom('a', 'b', '1', ' ', '\n', '\r', '\t', '\u00a0', '\u2028', 'é', '_', '.', '😀'), {
        maxLength: 12,
      })
      .map((chars) => chars.join(''));

    fc.assert(
      fc.property(pattern, input, (p, s) => {
        expect(compileLinearPattern(p).test(s)).toBe(new RegExp(p, 'u').test(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('compileCustomSchema with patterns', () => {
  const schema = {
    type: 'object',
    properties: { id: { type: 'string', pattern: '^(a+)+$' } },
    patternProperties: { '^(x+x+)+y$': { type: 'number' } },
  };

  it('checks a record that would make a backtracking engine run for ages, and reports it', () => {
    // `^(a+)+$` on "aaa...a!" backtracks exponentially in JavaScript's RegExp (2^50000 ways to
    // split the a's); on RE2 it is one linear pass. A regression hangs here rather than failing.
    const validate = compileCustomSchema('ids', schema);
    const evil = `${'a'.repeat(50_000)}!`;

    expect(validate({ id: evil, [`${'x'.repeat(5_000)}!`]: 'not checked' }, at)).toEqual([
      {
        severity: 'error',
        code: 'SCHEMA_VIOLATION',
        line: 3,
        field: 'id',
        message: 'id must match pattern "^(a+)+$" (schema "ids").',
      },
    ]);
    expect(validate({ id: 'a'.repeat(50_000), [`${'x'.repeat(5_000)}y`]: 'a string' }, at)).toEqual([
      expect.objectContaining({ code: 'SCHEMA_VIOLATION', field: `${'x'.repeat(5_000)}y` }),
    ]);
  });

  it.each([
    ['pattern', { type: 'string', pattern: '^(\\w)\\1$' }],
    ['patternProperties', { type: 'object', patternProperties: { '^(?!_)': { type: 'string' } } }],
    ['a nested pattern', { $defs: { tag: { pattern: '(?<=#)\\w+' } }, $ref: '#/$defs/tag' }],
  ])('throws UnsupportedPatternError for a backtracking-only %s', (_where, jsonSchema) => {
    expect(() => compileCustomSchema('refused', jsonSchema)).toThrow(UnsupportedPatternError);
  });

  it('leaves format an annotation: no format is checked, so none can backtrack', () => {
    const validate = compileCustomSchema('formats', {
      type: 'string',
      format: 'email',
    });

    expect(validate(`${'a'.repeat(50_000)}@`, at)).toEqual([]);
  });
});
