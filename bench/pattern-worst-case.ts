/**
 * The slowest patterns we know of at the size cap (`maxPatternInstructions`, 600 RE2
 * instructions), each matched against strings built to keep every instruction busy. The time is
 * what checking one string against one pattern costs in AnalyzeFile; docs/datasets.md quotes it.
 *
 *   npm run bench:patterns                  # 1 MB strings
 *   npm run bench:patterns -- --mb 0.1      # a quick run
 *
 * re2js matches with a lazily built DFA, whose states are sets of instructions, and falls back to
 * its NFA (every live instruction stepped at every character) when the DFA's 8 MB cache thrashes.
 * The worst cases are patterns whose DFA thrashes: a long counted repeat of a large class
 * (`\p{L}{990}`), or a class star followed by a fixed-length tail (the classic DFA blow-up). Ajv
 * keeps one compiled pattern for every record, so each pattern runs once on a fresh cache and
 * once on the cache the previous strings left; the slowest of the two counts.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compileLinearPattern, maxPatternInstructions } from '../lambdas/analysis/schema/linear-regexp.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '1' } } });
const length = Math.round(Number(values.mb) * 1_000_000);

/** The longest `{0,n}` / `{n}` that keeps the pattern within the cap (a fixed part of `fixed`). */
const optional = (fixed: number) => Math.floor((maxPatternInstructions - fixed) / 2);
const required = (fixed: number) => maxPatternInstructions - fixed;

const patterns = [
  `\\p{L}{${required(10)}}[0-9]`,
  `[a-z\\u00e9]{${required(10)}}[0-9]`,
  `\\p{L}{0,${optional(6)}}[0-9]`,
  `[a-z]{0,${optional(6)}}[0-9]`,
  `.{0,${optional(6)}}[0-9]`,
  `^(?:\\p{L}{0,${optional(8) >> 1}}\\p{L}{0,${optional(8) >> 1}})*$`,
  `\\p{L}*a\\p{L}{${required(12)}}[0-9]`,
  `[ab]*a[ab]{${required(12)}}[0-9]`,
];

/** Deterministic pseudo-random strings of `length` characters drawn from `alphabet`. */
function randomString(alphabet: string[]): string {
  let seed = 7;
  const out: string[] = [];
  for (let i = 0; i < length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out.push(alphabet[(seed >> 8) % alphabet.length] as string);
  }
  return out.join('');
}

const inputs: Record<string, string> = {
  'a...': 'a'.repeat(length),
  'é...': 'é'.repeat(length),
  'a|b': randomString(['a', 'b']),
  'a|é': randomString(['a', 'é']),
  letters: randomString([...'abcdefghijklmnopqrstuvwxyzé']),
};

const seconds = (ms: number) => (ms / 1000).toFixed(2);

console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load ${loadavg()[0]?.toFixed(2)}; strings of ${length} characters; cap ${maxPatternInstructions} instructions`,
);
// Warms V8's optimizing compiler up on re2js's matching loops, so the first row is not slower.
compileLinearPattern('\\p{L}{0,50}[0-9]').test('a'.repeat(100_000));

let worst = { ms: 0, what: '' };
for (const pattern of patterns) {
  const shared = compileLinearPattern(pattern);
  const cells: string[] = [];
  for (const [name, input] of Object.entries(inputs)) {
    let slowest = 0;
    for (const compiled of [compileLinearPattern(pattern), shared]) {
      const start = performance.now();
      compiled.test(input);
      slowest = Math.max(slowest, performance.now() - start);
    }
    cells.push(`${name} ${seconds(slowest)} s`);
    if (slowest > worst.ms) worst = { ms: slowest, what: `${pattern} on ${name}` };
  }
  console.log(`${String(shared.programSize()).padStart(5)} instructions | ${cells.join(' | ')} | ${pattern}`);
}
console.log(`slowest: ${seconds(worst.ms)} s for ${worst.what}`);
