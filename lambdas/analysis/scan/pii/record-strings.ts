/**
 * Walks the string values of a record for the scanners, with the path of each (`messages[1].content`,
 * a CSV column name) built only when a scanner asks for it: most strings hold nothing, and
 * joining a path per string would cost more than scanning it.
 *
 * Bounded: objects nested deeper than {@link MAX_DEPTH} are not entered, a string is scanned up to
 * {@link MAX_STRING_CHARS} characters, and a record up to {@link MAX_RECORD_CHARS} in all. A
 * record is at most one JSONL line or CSV row, so the bounds only matter for pathological input.
 *
 * This runs for every record of the pass, so the walk allocates nothing per record: one walker
 * (its path stack and its `fieldPath` function) is reused, and the recursion is a method, not a
 * closure created per call (a closure per record cost as much as `JSON.parse` of the record).
 */

export const MAX_DEPTH = 32;
export const MAX_STRING_CHARS = 1 << 20;
export const MAX_RECORD_CHARS = 8 << 20;

/** Answers the field path of the current string, or `undefined` for a bare string record. */
export type FieldPathOf = () => string | undefined;

export type StringVisit = (text: string, fieldPath: FieldPathOf) => void;

export interface WalkOptions {
  /**
   * Also hand over integers of 12 digits or more as text: a card number stored as a JSON number
   * (up to 16 digits survive as a double exactly).
   */
  longIntegers?: boolean;
}

function ignore(): void {}

class StringWalker {
  private readonly path: (string | number)[] = [];
  private budget = 0;
  private visit: StringVisit = ignore;
  private readonly fieldPath: FieldPathOf;
  /** True while a walk runs: a visit that walks another record gets its own walker. */
  busy = false;

  constructor(private readonly longIntegers: boolean) {
    const path = this.path;
    this.fieldPath = () => formatPath(path);
  }

  run(record: unknown, visit: StringVisit): void {
    this.busy = true;
    this.visit = visit;
    this.budget = MAX_RECORD_CHARS;
    this.path.length = 0;
    try {
      this.walk(record, 0);
    } finally {
      this.visit = ignore;
      this.path.length = 0;
      this.busy = false;
    }
  }

  private walk(value: unknown, depth: number): void {
    if (this.budget <= 0) return;
    if (typeof value === 'string') {
      const text = value.length > MAX_STRING_CHARS ? value.slice(0, MAX_STRING_CHARS) : value;
      this.budget -= text.length;
      this.visit(text, this.fieldPath);
      return;
    }
    if (typeof value === 'number') {
      if (this.longIntegers && Number.isSafeInteger(value) && Math.abs(value) >= 1e11)
        this.visit(String(value), this.fieldPath);
      return;
    }
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return;
    const path = this.path;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && this.budget > 0; i++) {
        path.push(i);
        this.walk(value[i], depth + 1);
        path.pop();
      }
      return;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      path.push(key);
      this.walk((value as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (this.budget <= 0) return;
    }
  }
}

/** One reusable walker per option set (the pass walks every record with the same options). */
const walkers = { plain: new StringWalker(false), longIntegers: new StringWalker(true) };

export function forEachString(record: unknown, visit: StringVisit, options: WalkOptions = {}): void {
  const shared = options.longIntegers ? walkers.longIntegers : walkers.plain;
  const walker = shared.busy ? new StringWalker(options.longIntegers === true) : shared;
  walker.run(record, visit);
}

function formatPath(path: readonly (string | number)[]): string | undefined {
  if (path.length === 0) return undefined;
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
