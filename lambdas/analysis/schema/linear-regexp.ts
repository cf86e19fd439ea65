/**
 * The regular-expression engine Ajv runs a registered schema's `pattern` and `patternProperties`
 * with (Ajv's `code.regExp` option): RE2 semantics through `re2js`, a pure-JS port whose matching
 * time is linear in the input, instead of JavaScript's backtracking `RegExp`.
 *
 * Why: a registered schema is checked against every record of every upload that names it, in the
 * AnalyzeFile step. With a backtracking engine a pattern such as `^(a+)+$` takes exponential time
 * on a long string ending in a non-match (`aaaa...!`) and stalls the analysis (ReDoS). RE2 has no
 * backtracking, so it cannot do that - and therefore refuses the constructs that need it:
 * backreferences and lookaround. Those are refused here, when the schema is compiled, which
 * `PUT /api/schemas/{name}` does before storing anything (400, see `core/schema-registry.ts`).
 *
 * Linear is not free: matching costs about the string's length times the size of the compiled
 * program, so a pattern compiles to at most {@link maxPatternInstructions} instructions and a
 * schema's patterns to at most {@link maxSchemaPatternInstructions} together; larger ones are
 * refused the same way.
 *
 * A pattern is accepted only if it is both a valid ECMA-262 regular expression with the `u` flag
 * (what JSON Schema specifies, and what Ajv's default engine accepted before: documents stay
 * portable to other validators) and compiles with RE2 after translation. The translation keeps
 * ECMA-262's meaning where the two syntaxes differ: `.` does not match `\r`, U+2028 or U+2029,
 * `\s` / `\S` use JavaScript's Unicode white space (inside classes too, `[^\S\n]` included), `[\b]`
 * is a backspace, `[` inside a class is a literal (not a POSIX class), a `\uD83D\uDE00`
 * surrogate pair is one code point; named groups and `\u` escapes are left to
 * `RE2JS.translateRegExp`. Inline modifier groups (`(?i:...)`) are refused: only newer runtimes
 * accept them and RE2 reads them differently. A property test compares both engines.
 */
import { RE2JS } from 're2js';
import { estimateProgramSize } from './program-size.js';

/** Why a pattern cannot run on the linear-time engine, and how to fix it. */
export class UnsupportedPatternError extends Error {
  constructor(
    readonly pattern: string,
    /** What is wrong, e.g. "uses a backreference (\\1)". */
    readonly reason: string,
    /** How to fix it. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`The pattern ${JSON.stringify(pattern)} ${reason}: ${fix}`, options);
    this.name = 'UnsupportedPatternError';
  }
}

/** The fix for the constructs only a backtracking engine can run. */
const withoutBacktracking =
  'patterns run on RE2, a linear-time engine that catastrophic backtracking cannot stall, so backreferences (\\1, \\k<name>) and lookaround ((?=...), (?!...), (?<=...), (?<!...)) are not supported. Rewrite the pattern without them (e.g. spell out the alternatives, or match more loosely)';

const backtrackingOnly = (pattern: string, construct: string) =>
  new UnsupportedPatternError(pattern, `uses ${construct}`, withoutBacktracking);

/** ECMA-262's WhiteSpace and LineTerminator code points (what `\s` matches), as ranges. */
const jsWhiteSpaceRanges: ReadonlyArray<readonly [number, number]> = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** The code points `ranges` (sorted, disjoint) leave out, up to U+10FFFF. */
function complement(ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const gaps: Array<readonly [number, number]> = [];
  let next = 0;
  for (const [low, high] of ranges) {
    if (low > next) gaps.push([next, low - 1]);
    next = high + 1;
  }
  if (next <= 0x10ffff) gaps.push([next, 0x10ffff]);
  return gaps;
}

/** Ranges as the inside of an RE2 class: `\x{9}-\x{D}\x{20}...`. */
const classItems = (ranges: ReadonlyArray<readonly [number, number]>) =>
  ranges
    .map(([low, high]) => {
      const hex = (cp: number) => `\\x{${cp.toString(16).toUpperCase()}}`;
      return low === high ? hex(low) : `${hex(low)}-${hex(high)}`;
    })
    .join('');

/** What `\s` matches, as the inside of an RE2 class. */
const jsWhiteSpace = classItems(jsWhiteSpaceRanges);
/**
 * What `\S` matches, as the inside of an RE2 class: the complement written out, since a class
 * item cannot be negated on its own and RE2's `\S` is ASCII (it would let U+00A0 or U+FEFF in).
 */
const jsNonWhiteSpace = classItems(complement(jsWhiteSpaceRanges));
/** ECMA-262's `.` without the `s` flag: anything but a LineTerminator. */
const jsDot = '[^\\n\\r\\x{2028}\\x{2029}]';

const hex4 = /^[0-9a-fA-F]{4}$/;

/** The code point of a `\uHHHH` escape starting at `at`, or `undefined`. */
function unicodeEscapeAt(pattern: string, at: number): number | undefined {
  if (pattern[at] !== '\\' || pattern[at + 1] !== 'u') return undefined;
  const digits = pattern.slice(at + 2, at + 6);
  return hex4.test(digits) ? Number.parseInt(digits, 16) : undefined;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * ECMA-262's inline modifier groups (`(?i:...)`, `(?s-m:...)`): ES2025, so the Lambda runtime's
 * Node.js 24 accepts them and Node.js 20 does not, and RE2 would give `m` and `s` other meanings
 * (its line terminator is `\n` alone). Refused whatever the runtime, before V8 sees the pattern.
 */
const modifierGroup = /^\(\?[a-zA-Z]*(?:-[a-zA-Z]*)?:/;

/**
 * Rewrites an ECMA-262 pattern into the same pattern with RE2's meaning; throws
 * `UnsupportedPatternError` for backreferences, lookaround and inline modifiers. The rewrite is
 * only used once V8 has accepted the pattern with the `u` flag, so escapes are one character
 * after the backslash except `\u`, `\x`, `\p`, `\c`, and classes do not nest.
 */
function toRe2Syntax(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next >= '1' && next <= '9') {
        throw backtrackingOnly(pattern, `a backreference (\\${next})`);
      }
      if (next === 'k') {
        throw backtrackingOnly(pattern, 'a named backreference (\\k<...>)');
      }
      // RE2's `\s` and `\S` are ASCII; `\d`, `\D`, `\w`, `\W` and `\b` are ASCII in both, as
      // ECMA-262 has them with `u` and without `i` (and JSON Schema patterns carry no flags).
      if (next === 's') {
        out += inClass ? jsWhiteSpace : `[${jsWhiteSpace}]`;
      } else if (next === 'S') {
        out += inClass ? jsNonWhiteSpace : `[^${jsWhiteSpace}]`;
      } else if (next === 'b' && inClass) {
        out += '\\x{08}';
      } else {
        const high = unicodeEscapeAt(pattern, i);
        const low = unicodeEscapeAt(pattern, i + 6);
        if (high !== undefined && low !== undefined && isHighSurrogate(high) && isLowSurrogate(low)) {
          const codePoint = (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          out += `\\x{${codePoint.toString(16).toUpperCase()}}`;
          i += 11;
          continue;
        }
        out += `\\${next}`;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      // `[` is a literal inside an ECMA-262 class; RE2 would start a POSIX class (`[[:digit:]]`).
      out += ch === '[' ? '\\[' : ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === '.') {
      out += jsDot;
    } else if (ch === '(' && pattern[i + 1] === '?') {
      const assertion = pattern.slice(i + 2, i + 4);
      if (assertion.startsWith('=') || assertion.startsWith('!')) {
        throw backtrackingOnly(pattern, `a lookahead ((?${assertion[0]}...))`);
      }
      if (assertion === '<=' || assertion === '<!') {
        throw backtrackingOnly(pattern, `a lookbehind ((?${assertion}...))`);
      }
      const modifiers = modifierGroup.exec(pattern.slice(i, i + 64))?.[0];
      if (modifiers !== undefined && modifiers !== '(?:') {
        throw new UnsupportedPatternError(
          pattern,
          `uses an inline modifier group (${modifiers}...)`,
          'Node.js 20 does not accept them and RE2 reads (?m:) and (?s:) differently, so they are not supported. Spell the flag out instead: [Aa] for (?i:a), [\\s\\S] for (?s:.)',
        );
      }
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Most RE2 instructions one pattern may compile to. re2js's matching time is at worst about the
 * string's length times the program's size (each instruction can hold a thread at each
 * character), and it accepts programs of ~1.4 million instructions: before this bound a pattern
 * with five `{0,1000}` repeats in a star took 3.9 s on a 10 KB string. At 600 the slowest
 * pattern found (`bench/pattern-worst-case.ts`: a class star, a letter, then `\p{L}{588}`,
 * whose DFA never stops growing) takes about 16 s on a 1 MB string on one AMD EPYC core of the
 * development machine, and most patterns at the cap well under a second; realistic ones are smaller
 * (`^[A-Za-z0-9_-]{1,64}$` is 131 instructions, an ISO date-time 57, `^.{1,255}$` 513).
 */
export const maxPatternInstructions = 600;

/**
 * Most RE2 instructions a schema's patterns may compile to together, each use counted (a pattern
 * used twice is tested twice; Ajv's own meta-schema patterns add up to ~30). A string several
 * patterns apply to costs the sum of their sizes, so this bounds a string checked against all of
 * them at ten times the worst single pattern; it also bounds what registration compiles.
 */
export const maxSchemaPatternInstructions = 6000;

const tooLarge = (pattern: string, size: string) =>
  new UnsupportedPatternError(
    pattern,
    `compiles to ${size} RE2 instructions, more than the ${maxPatternInstructions} a pattern may have`,
    'the time to match a string grows with its length times this size, so a larger pattern could stall the analysis of a large file. Use smaller counted repeats ({0,n} costs about 2n instructions, {n} about n; a repeat of a group multiplies), or check lengths with minLength and maxLength instead of a counted repeat',
  );

/**
 * Compiles `pattern` for linear-time matching with ECMA-262's meaning, or throws
 * `UnsupportedPatternError` saying why it cannot be (including a program larger than
 * {@link maxPatternInstructions}).
 */
export function compileLinearPattern(pattern: string): RE2JS {
  const rewritten = toRe2Syntax(pattern);
  try {
    // Only parsed, never run: V8's parser is linear in the pattern's length.
    new RegExp(pattern, 'u');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnsupportedPatternError(
      pattern,
      `is not a valid ECMA-262 regular expression with the "u" flag (${reason})`,
      'JSON Schema patterns are ECMA-262 regular expressions; fix its syntax',
      { cause: error },
    );
  }
  // The compiled size decides; the estimate (a few instructions under it, or above it where RE2
  // simplifies, e.g. factors `abc|abd`) only keeps programs far beyond the cap from being
  // compiled, which at re2js's own limit takes seconds and a gigabyte.
  const estimate = estimateProgramSize(pattern);
  if (!(estimate <= 4 * maxPatternInstructions)) {
    throw tooLarge(pattern, Number.isFinite(estimate) ? `about ${estimate}` : 'more than 10^308');
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(rewritten));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnsupportedPatternError(
      pattern,
      `cannot be compiled by RE2, the linear-time engine patterns run on (${reason})`,
      'write it in the syntax both ECMA-262 and RE2 accept: general categories by their short names (\\p{L}, \\p{Lu}, not \\p{Letter} or \\p{gc=L}), scripts as code point ranges (\\p{Script=...} is not supported: e.g. [\\u0370-\\u03FF\\u1F00-\\u1FFF] for Greek) and counted repeats up to {1000}',
      { cause: error },
    );
  }
  if (compiled.programSize() > maxPatternInstructions) {
    throw tooLarge(pattern, String(compiled.programSize()));
  }
  return compiled;
}

/** What Ajv calls `test` on: one compiled pattern. */
interface LinearPattern {
  test(input: string): boolean;
  /** Ajv keys its compiled patterns by this string, so it must be unique per pattern. */
  toString(): string;
}

/** Ajv's `code.regExp` option: compiles a pattern with its flags. */
export type RegExpEngine = ((pattern: string, flags: string) => LinearPattern) & { code: string };

/**
 * A new Ajv `code.regExp` engine for one schema's compilation: it runs patterns on RE2 and
 * throws `UnsupportedPatternError` once the patterns it compiled exceed
 * {@link maxSchemaPatternInstructions} together. Ajv calls it once per `pattern` keyword and
 * `patternProperties` key it compiles (and again where `additionalProperties` tests the same
 * keys), with the `u` flag since its `unicodeRegExp` option is on; RE2 always matches by code
 * point, as `u` asks.
 */
export function linearRegExp(): RegExpEngine {
  const compiled = new Map<string, RE2JS>();
  let total = 0;
  const engine = (pattern: string, flags: string): LinearPattern => {
    const re2 = compiled.get(pattern) ?? compileLinearPattern(pattern);
    compiled.set(pattern, re2);
    total += re2.programSize();
    if (total > maxSchemaPatternInstructions) {
      throw new UnsupportedPatternError(
        pattern,
        `brings the schema's patterns to ${total} RE2 instructions together, more than the ${maxSchemaPatternInstructions} a schema may have`,
        'a string is matched against each pattern that applies to it, so their sizes add up. Use fewer or smaller patterns (smaller counted repeats), or split the schema',
      );
    }
    return { test: (input) => re2.test(input), toString: () => `/${pattern}/${flags}` };
  };
  // Only used by Ajv's standalone code generation, which this project does not use.
  return Object.assign(engine, { code: 'linearRegExp' });
}
