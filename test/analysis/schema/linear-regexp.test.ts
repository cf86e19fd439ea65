import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCustomSchema } from '../../../lambdas/analysis/schema/custom-schema.js';
import {
  compileLinearPattern,
  maxPatternInstructions,
  maxSchemaPatternInstructions,
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
      /cannot be compiled by RE2.*short names \(\\p\{L\}, \\p\{Lu\}, not \\p\{Letter\}/,
    );
  });

  it('proposes for \\p{Script=Greek} a replacement that both engines accept', () => {
    const attempt = () => compileLinearPattern('^\\p{Script=Greek}+$');
    const proposed = '^[\\u0370-\\u03FF\\u1F00-\\u1FFF]+$';

    expect(attempt).toThrow(
      /\\p\{Script=\.\.\.\} is not supported: e\.g\. \[\\u0370-\\u03FF\\u1F00-\\u1FFF\] for Greek/,
    );
    expect(new RegExp(proposed, 'u').test('Αθήνα')).toBe(true);
    expect(compileLinearPattern(proposed).test('Αθήνα')).toBe(true);
  });

  it.each([
    ['(?i:abc)', '(?i:'],
    ['^(?s:.)$', '(?s:'],
    ['(?m:a$)', '(?m:'],
    ['a(?-i:b)', '(?-i:'],
    ['(?i-ms:x)', '(?i-ms:'],
  ])('refuses the inline modifier group in %j whatever the runtime accepts', (pattern, group) => {
    const attempt = () => compileLinearPattern(pattern);

    expect(attempt).toThrow(UnsupportedPatternError);
    expect(attempt).toThrow(
      `The pattern ${JSON.stringify(pattern)} uses an inline modifier group (${group}...): Node.js 20 does not accept them`,
    );
    expect(attempt).toThrow(/Spell the flag out instead: \[Aa\] for \(\?i:a\)/);
  });

  it('does not take a class, an escaped parenthesis or a named group for a modifier group', () => {
    expect(compileLinearPattern('^[(?i:]\\(\\?i:$').test('?(?i:')).toBe(true);
    expect(compileLinearPattern('^(?<i>a)(?:b)$').test('ab')).toBe(true);
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
    // Inside a class, \S is ECMA-262's complement of its white space, not RE2's ASCII one.
    ['^[\\S]+$', 'a\u00a0b', false],
    ['^[\\S]+$', 'a\u000bb', false],
    ['^[\\S]+$', 'a\ufeffb', false],
    ['^[\\S]+$', 'a\u2028b', false],
    ['^[\\S]+$', 'aé😀\ud800', true],
    ['^[a\\S]$', '\u3000', false],
    ['^[^\\S\\n]+$', ' \u00a0\u000b\ufeff\r', true],
    ['^[^\\S\\n]+$', ' \n', false],
    ['^[^\\S\\n]+$', 'a', false],
    ['^[\\s\\d]+$', '1\u00a02', true],
    ['^[^\\s]$', '\u00a0', false],
    ['^[\\W]$', 'é', true],
    ['^[^\\W]$', 'é', false],
    ['^[\\w]$', 'é', false],
    ['^[\\D]$', '٣', true],
    ['^[^\\D]$', '٣', false],
    ['^[\\d]$', '٣', false],
    // `[` inside a class is a literal: RE2 would read `[:digit:]` as a POSIX class.
    ['^[[:digit:]+[x]$', '5', false],
    ['^[[:digit:]+[x]$', 'x', false],
    ['^[[:digit:]+[x]$', 'dx', true],
    ['^[[:digit:]+[x]$', '[:x', true],
    ['^[a[]$', '[', true],
    ['^[^[]$', '[', false],
    ['^[]$', ']', false],
    ['^[^]$', '\n', true],
  ])('gives %j the meaning ECMA-262 gives it on %j (%s)', (pattern, input, expected) => {
    expect(new RegExp(pattern, 'u').test(input)).toBe(expected);
    expect(compileLinearPattern(pattern).test(input)).toBe(expected);
  });

  it('agrees with JavaScript RegExp on generated patterns and strings', () => {
    // Classes are built from items, negated or not, with every class escape and `[` in them.
    const classItem = fc.constantFrom(
      'a',
      'b',
      '1',
      '\\s',
      '\\S',
      '\\d',
      '\\D',
      '\\w',
      '\\W',
      '\\b',
      '\\n',
      '\\u00a0',
      '[',
      '\\[',
      '\\]',
      ':',
      '-',
      'a-z',
      '\\p{L}',
      '\\P{L}',
      '\\u{1F600}',
    );
    const characterClass = fc
      .tuple(fc.boolean(), fc.array(classItem, { maxLength: 4 }))
      .map(([negated, items]) => `[${negated ? '^' : ''}${items.join('')}]`);
    const atom = fc.oneof(
      fc.constantFrom(
        'a',
        'b',
        '.',
        '\\s',
        '\\S',
        '\\d',
        '\\D',
        '\\w',
        '\\W',
        '\\.',
        '\\[',
        '\\u00e9',
        '\\p{L}',
        '\\bb',
        '\\Bb',
      ),
      characterClass,
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
      .array(
        fc.constantFrom(
          'a',
          'b',
          'z',
          '1',
          '٣',
          ' ',
          '\n',
          '\r',
          '\t',
          '\u000b',
          '\u00a0',
          '\u2028',
          '\u3000',
          '\ufeff',
          '\u0085',
          'é',
          '_',
          '.',
          '[',
          ']',
          ':',
          '-',
          '\b',
          '😀',
        ),
        { maxLength: 12 },
      )
      .map((chars) => chars.join(''));

    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 8 }), (p, strings) => {
        // A generated class can be invalid ECMA-262 (`[z-a]`, `[\\d-a]`): those are refused.
        let js: RegExp;
        try {
          js = new RegExp(p, 'u');
        } catch {
          expect(() => compileLinearPattern(p)).toThrow(UnsupportedPatternError);
          return;
        }
        const re2 = compileLinearPattern(p);
        for (const s of strings) expect([p, s, re2.test(s)]).toEqual([p, s, js.test(s)]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the size of a compiled pattern', () => {
  it.each([
    '^[A-Za-z0-9_-]{1,64}$',
    "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
    '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2}))?$',
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    '^(user|assistant|system|tool)$',
    '^(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)$',
    '^[a-z0-9-]{1,64}/[a-z0-9._-]{1,128}$',
    '^\\p{L}[\\p{L}\\p{N} ]{0,255}$',
    '^.{1,255}$',
  ])('accepts the realistic %j', (pattern) => {
    expect(compileLinearPattern(pattern).programSize()).toBeLessThanOrEqual(maxPatternInstructions);
  });

  it('refuses nested counted repeats that would stall the analysis, saying why and how to fix them', () => {
    // Took 3.9 s on a 10 KB string before the cap (re2js's time is length x program size).
    const pattern = `^(?:${'[a-z]{0,1000}'.repeat(5)})*$`;
    const attempt = () => compileLinearPattern(pattern);

    expect(attempt).toThrow(UnsupportedPatternError);
    expect(attempt).toThrow(
      `The pattern ${JSON.stringify(pattern)} compiles to about 10004 RE2 instructions, more than the 600 a pattern may have: the time to match a string grows with its length times this size`,
    );
    expect(attempt).toThrow(/Use smaller counted repeats .*or check lengths with minLength and maxLength/);
  });

  it('decides by the compiled size: accepts a pattern at the cap and refuses one just past it', () => {
    expect(compileLinearPattern('^[a-z]{0,298}$').programSize()).toBe(maxPatternInstructions);
    expect(() => compileLinearPattern('^[a-z]{0,299}$')).toThrow(
      'compiles to 602 RE2 instructions, more than the 600 a pattern may have',
    );
  });

  it('refuses a pattern at re2js’s own size limit by its estimate, without compiling it', () => {
    // Compiling this one takes seconds and about a gigabyte; RE2 would still accept it.
    const pattern = `(?:${'[a-z]{0,1000}'.repeat(690)})*`;

    expect(() => compileLinearPattern(pattern)).toThrow(/compiles to about 1380002 RE2 instructions/);
    expect(() => compileLinearPattern(`${'(?:'.repeat(110)}a${'){1000}'.repeat(110)}`)).toThrow(
      /compiles to more than 10\^308 RE2 instructions/,
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

  it('checks a long string against a pattern at the size cap and reports it', () => {
    const atCap = '\\p{L}{0,297}[0-9]';
    const validate = compileCustomSchema('tags', { properties: { tag: { type: 'string', pattern: atCap } } });

    expect(compileLinearPattern(atCap).programSize()).toBeGreaterThan(maxPatternInstructions - 10);
    expect(validate({ tag: 'é'.repeat(200_000) }, at)).toEqual([
      expect.objectContaining({ code: 'SCHEMA_VIOLATION', field: 'tag' }),
    ]);
    expect(validate({ tag: `${'é'.repeat(200_000)}1` }, at)).toEqual([]);
  });

  it('refuses a schema whose patterns together exceed the cap, counting each use', () => {
    const atCap = (i: number) => `\\p{L}{0,297}${i}`;
    const distinct = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`f${i}`, { type: 'string', pattern: atCap(i) }]),
    );
    const sameEleven = { allOf: Array.from({ length: 11 }, () => ({ pattern: atCap(0) })) };
    const many = () => compileCustomSchema('many', { properties: distinct });

    expect(() => compileCustomSchema('ten', { allOf: sameEleven.allOf.slice(1) })).not.toThrow();
    expect(many).toThrow(
      `The pattern ${JSON.stringify(atCap(10))} brings the schema's patterns to 6568 RE2 instructions together, more than the ${maxSchemaPatternInstructions} a schema may have`,
    );
    expect(many).toThrow(/their sizes add up\. Use fewer or smaller patterns/);
    expect(() => compileCustomSchema('repeated', sameEleven)).toThrow(/brings the schema's patterns to/);
  });

  it('leaves format an annotation: no format is checked, so none can backtrack', () => {
    const validate = compileCustomSchema('formats', {
      type: 'string',
      format: 'email',
    });

    expect(validate(`${'a'.repeat(50_000)}@`, at)).toEqual([]);
  });
});
