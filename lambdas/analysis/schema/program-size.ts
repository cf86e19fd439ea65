/**
 * How many instructions RE2 will compile a pattern to, estimated without compiling it.
 *
 * Why: re2js accepts programs of up to ~1.4 million instructions, and compiling one that large
 * takes seconds and about a gigabyte of memory, so the size must be known before
 * `RE2JS.compile` is called (`linear-regexp.ts` refuses large patterns with it). The estimate is
 * RE2's own (`calcSize` in its parser), computed over the ECMA-262 syntax: a literal character,
 * a class, an escape, `.`, `^` and `$` count 1; a capturing group adds 2; `x*` is 2 + x, `x+` and
 * `x?` 1 + x; `x{n,m}` is m * x + (m - n), `x{n}` n * x, `x{n,}` 1 + n * x (2 + x for n = 0);
 * an alternation adds one per `|`. The compiled program is a few instructions larger (its start,
 * match and, unless anchored, the `.*?` RE2 runs before an unanchored pattern).
 */

/** Sizes of the open group: its finished alternatives, the current one, and its last atom. */
interface OpenGroup {
  capturing: boolean;
  /** Sum of the sizes of the alternatives before the current one. */
  finished: number;
  alternatives: number;
  /** Size of the alternative being read, but for its last atom. */
  before: number;
  /** Size of its last atom, which a quantifier that follows applies to. */
  last: number;
}

const openGroup = (capturing: boolean): OpenGroup => ({
  capturing,
  finished: 0,
  alternatives: 1,
  before: 0,
  last: 0,
});

/**
 * The estimated number of RE2 instructions of `pattern`, which must be a valid ECMA-262 pattern
 * with the `u` flag (so `{` always opens a quantifier, and escapes are one character except
 * `\u`, `\x`, `\c`, `\p`, `\P`, `\k` and decimal escapes). Grows without bound (to `Infinity`)
 * for nested repeats; iterative, so deep nesting cannot overflow the stack.
 */
export function estimateProgramSize(pattern: string): number {
  const outer: OpenGroup[] = [];
  let group = openGroup(false);
  // No subtraction anywhere: sizes can reach Infinity, and Infinity - Infinity is NaN.
  const atom = (size: number) => {
    group.before += group.last;
    group.last = size;
  };
  const quantify = (size: (x: number) => number) => {
    group.before += size(group.last);
    group.last = 0;
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      i = afterEscape(pattern, i);
      atom(1);
    } else if (ch === '[') {
      i = afterClass(pattern, i);
      atom(1);
    } else if (ch === '(') {
      const named = pattern.startsWith('(?<', i) && pattern[i + 3] !== '=' && pattern[i + 3] !== '!';
      outer.push(group);
      group = openGroup(pattern[i + 1] !== '?' || named);
      i = named
        ? pattern.indexOf('>', i) + 1
        : pattern[i + 1] === '?'
          ? i + 3 + Number(pattern[i + 2] === '<')
          : i + 1;
    } else if (ch === ')') {
      const size = closedSize(group);
      group = outer.pop() ?? openGroup(false);
      atom(size);
      i++;
    } else if (ch === '|') {
      group.finished += group.before + group.last;
      group.alternatives++;
      group.before = 0;
      group.last = 0;
      i++;
    } else if (ch === '*') {
      quantify((x) => 2 + x);
      i++;
    } else if (ch === '+' || ch === '?') {
      quantify((x) => 1 + x);
      i++;
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      const [low = '', high] = pattern.slice(i + 1, end).split(',');
      const min = Number(low);
      const max = high === undefined ? min : high === '' ? -1 : Number(high);
      quantify((x) => (max === -1 ? (min === 0 ? 2 + x : 1 + min * x) : max * x + (max - min)));
      i = end + 1;
    } else {
      const unit = ch.charCodeAt(0);
      i += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
      atom(1);
    }
    // A lazy quantifier (`*?`, `{2,5}?`) costs what the greedy one does.
    if (pattern[i] === '?' && /[*+?}]/.test(pattern[i - 1] ?? '') && group.last === 0) i++;
  }
  return closedSize(group) - (group.capturing ? 2 : 0);
}

function closedSize(group: OpenGroup): number {
  const alternatives = group.finished + group.before + group.last + (group.alternatives - 1);
  return Math.max(1, alternatives) + (group.capturing ? 2 : 0);
}

/** The index after the escape at `at` (a `\uHHHH\uHHHH` surrogate pair counts as one). */
function afterEscape(pattern: string, at: number): number {
  const kind = pattern[at + 1] ?? '';
  if ((kind === 'u' || kind === 'p' || kind === 'P') && pattern[at + 2] === '{') {
    return pattern.indexOf('}', at) + 1;
  }
  if (kind === 'u') {
    const high = Number.parseInt(pattern.slice(at + 2, at + 6), 16);
    const pair =
      high >= 0xd800 && high <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(pattern.slice(at + 6));
    return at + (pair ? 12 : 6);
  }
  if (kind === 'x') return at + 4;
  if (kind === 'c') return at + 3;
  if (kind === 'k') return pattern.indexOf('>', at) + 1;
  if (kind >= '0' && kind <= '9') {
    let end = at + 2;
    while (/[0-9]/.test(pattern[end] ?? '')) end++;
    return end;
  }
  return at + 2;
}

/** The index after the class that opens at `at` (in ECMA-262, `[]` is a class: the empty one). */
function afterClass(pattern: string, at: number): number {
  let i = at + 1;
  while (i < pattern.length) {
    if (pattern[i] === '\\') i = afterEscape(pattern, i);
    else if (pattern[i] === ']') return i + 1;
    else i++;
  }
  return i;
}
