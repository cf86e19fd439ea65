/**
 * Walks the string values of a record for the scanners, with the path of each (`messages[1].content`,
 * a CSV column name) built only when a scanner asks for it: most strings hold nothing, and
 * joining a path per string would cost more than scanning it.
 *
 * Bounded: objects nested deeper than {@link MAX_DEPTH} are not entered, a string is scanned up to
 * {@link MAX_STRING_CHARS} characters, and a record up to {@link MAX_RECORD_CHARS} in all. A
 * record is at most one JSONL line or CSV row, so the bounds only matter for pathological input.
 */

export const MAX_DEPTH = 32;
export const MAX_STRING_CHARS = 1 << 20;
export const MAX_RECORD_CHARS = 8 << 20;

/** Answers the field path of the current string, or `undefined` for a bare string record. */
export type FieldPathOf = () => string | undefined;

export interface WalkOptions {
  /**
   * Also hand over integers of 12 digits or more as text: a card number stored as a JSON number
   * (up to 16 digits survive as a double exactly).
   */
  longIntegers?: boolean;
}

export function forEachString(
  record: unknown,
  visit: (text: string, fieldPath: FieldPathOf) => void,
  options: WalkOptions = {},
): void {
  const path: (string | number)[] = [];
  const fieldPath: FieldPathOf = () => formatPath(path);
  let budget = MAX_RECORD_CHARS;

  const walk = (value: unknown, depth: number): void => {
    if (budget <= 0) return;
    if (typeof value === 'string') {
      const text = value.length > MAX_STRING_CHARS ? value.slice(0, MAX_STRING_CHARS) : value;
      budget -= text.length;
      visit(text, fieldPath);
      return;
    }
    if (typeof value === 'number') {
      if (options.longIntegers && Number.isSafeInteger(value) && Math.abs(value) >= 1e11)
        visit(String(value), fieldPath);
      return;
    }
    if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length && budget > 0; i++) {
        path.push(i);
        walk(value[i], depth + 1);
        path.pop();
      }
      return;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      path.push(key);
      walk((value as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (budget <= 0) return;
    }
  };

  walk(record, 0);
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
