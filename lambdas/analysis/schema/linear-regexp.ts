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
 * A pattern is accepted only if it is both a valid ECMA-262 regular expression with the `u` flag
 * (what JSON Schema specifies, and what Ajv's default engine accepted before: documents stay
 * portable to other validators) and compiles with RE2 after translation. The translation keeps
 * ECMA-262's meaning where the two syntaxes differ: `.` does not match `\r`, U+2028 or U+2029,
 * `\s` / `\S` use JavaScript's Unicode white space, `[\b]` is a backspace, a `\uD83D\uDE00`
 * surrogate pair is one code point; named groups and `\u` escapes are left to
 * `RE2JS.translateRegExp`. One difference remains: `\S` inside a character class keeps RE2's
 * ASCII meaning (it also matches non-ASCII white space such as U+00A0).
 */
import { RE2JS } from 're2js';

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

/** ECMA-262's WhiteSpace and LineTerminator (what `\s` matches), as the inside of an RE2 class. */
const jsWhiteSpace =
  '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
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
 * Rewrites an ECMA-262 pattern (already known valid with the `u` flag, so escapes are one
 * character after the backslash except `\u`, `\x`, `\p`, `\c`, and `[` inside a class is a
 * literal) into the same pattern with RE2's meaning; throws `UnsupportedPatternError` for
 * backreferences and lookaround.
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
      if (next === 's' && !inClass) {
        out += `[${jsWhiteSpace}]`;
      } else if (next === 's') {
        out += jsWhiteSpace;
      } else if (next === 'S' && !inClass) {
        out += `[^${jsWhiteSpace}]`;
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
      out += ch;
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
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * Compiles `pattern` for linear-time matching with ECMA-262's meaning, or throws
 * `UnsupportedPatternError` saying why it cannot be.
 */
export function compileLinearPattern(pattern: string): RE2JS {
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
  const translated = RE2JS.translateRegExp(toRe2Syntax(pattern));
  try {
    return RE2JS.compile(translated);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnsupportedPatternError(
      pattern,
      `cannot be compiled by RE2, the linear-time engine patterns run on (${reason})`,
      'write it in the syntax both ECMA-262 and RE2 accept: Unicode classes by their short names such as \\p{L} or \\p{Greek} and counted repeats up to {1000}',
      { cause: error },
    );
  }
}

/** What Ajv calls `test` on: one compiled pattern. */
interface LinearPattern {
  test(input: string): boolean;
  /** Ajv keys its compiled patterns by this string, so it must be unique per pattern. */
  toString(): string;
}

/**
 * Ajv's `code.regExp` engine. Ajv calls it with the pattern and its flags (`u`, as the
 * `unicodeRegExp` option is on); RE2 always matches by code point, as `u` asks.
 */
export const linearRegExp = Object.assign(
  (pattern: string, flags: string): LinearPattern => {
    const compiled = compileLinearPattern(pattern);
    return {
      test: (input) => compiled.test(input),
      toString: () => `/${pattern}/${flags}`,
    };
  },
  {
    // Only used by Ajv's standalone code generation, which this project does not use.
    code: 'linearRegExp',
  },
);
