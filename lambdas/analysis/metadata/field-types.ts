import type { FieldInfo, FindingSink, RecordVisitor } from '../types.js';

/** Distinct field names tracked one by one; the rest are counted together under `...`. */
export const MAX_TRACKED_FIELDS = 500;

/** The name of the entry that counts every field beyond the first {@link MAX_TRACKED_FIELDS}. */
export const OVERFLOW_FIELD_NAME = '...';

export interface FieldTypesOptions {
  /**
   * The values are text (CSV/TSV cells): infer `integer`, `number`, `boolean`, `string` or
   * `empty` from the text instead of reporting every cell as `string`.
   * @default false - values are typed by their JSON type
   */
  fromText?: boolean;
  /** Where to say that the field list was cut at {@link MAX_TRACKED_FIELDS} (one warning). */
  findings?: FindingSink;
}

export type FieldTypesVisitor = RecordVisitor & {
  /** Fields in first-seen order, with the type seen most and the count of each type. */
  fields(): FieldInfo[];
};

interface FieldState {
  name: string;
  types: Map<string, number>;
  /** Records in which the field held a value (not absent, not null, not an empty CSV cell). */
  present: number;
  /** Index of the last record counted in `present`; the overflow entry counts a record once. */
  lastRecord: number;
}

/** Types that mean "no value": they count as missing and lose to any real type. */
const NO_VALUE_TYPES = new Set(['null', 'empty']);

/**
 * Collects the top-level keys of object records (or the columns of CSV/TSV rows, which the
 * parser hands over as objects keyed by header) and the types of their values.
 *
 * Memory is bounded: at most {@link MAX_TRACKED_FIELDS} names are kept; values of any further
 * field are counted under one `...` entry, and a `TOO_MANY_FIELDS` warning says so when a
 * findings sink is given. Records that are not objects are not counted here (the schema checks
 * report them).
 */
export function createFieldTypesVisitor(options: FieldTypesOptions = {}): FieldTypesVisitor {
  const typeOf = options.fromText ? textValueType : jsonValueType;
  const fields = new Map<string, FieldState>();
  let overflow: FieldState | undefined;
  let objectRecords = 0;

  const stateFor = (name: string): FieldState => {
    const known = fields.get(name);
    if (known) return known;
    if (fields.size < MAX_TRACKED_FIELDS) {
      const created = newState(name);
      fields.set(name, created);
      return created;
    }
    overflow ??= newState(OVERFLOW_FIELD_NAME);
    return overflow;
  };

  return {
    onRecord(record) {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) return;
      const recordIndex = objectRecords++;
      const object = record as Record<string, unknown>;
      for (const name in object) {
        const value = object[name];
        if (value === undefined) continue;
        const state = stateFor(name);
        const type = typeOf(value);
        state.types.set(type, (state.types.get(type) ?? 0) + 1);
        if (!NO_VALUE_TYPES.has(type) && state.lastRecord !== recordIndex) {
          state.present++;
          state.lastRecord = recordIndex;
        }
      }
    },

    onEnd() {
      if (overflow && options.findings) {
        options.findings.report({
          severity: 'warning',
          code: 'TOO_MANY_FIELDS',
          message:
            `The records have more than ${MAX_TRACKED_FIELDS} distinct top-level fields; the first ` +
            `${MAX_TRACKED_FIELDS} are described one by one and the rest together under "${OVERFLOW_FIELD_NAME}".`,
        });
      }
    },

    fields() {
      const states = overflow ? [...fields.values(), overflow] : [...fields.values()];
      return states.map((state) => ({
        name: state.name,
        type: dominantType(state.types),
        types: Object.fromEntries(state.types),
        missing: objectRecords - state.present,
      }));
    },
  };
}

function newState(name: string): FieldState {
  return { name, types: new Map(), present: 0, lastRecord: -1 };
}

/**
 * The type seen most, ignoring "no value" types unless nothing else was seen. A field holding
 * both integers and fractions is a `number` (an integer is a number; `1` and `1.5` in one
 * column is a numeric column, not a mostly-integer one).
 */
function dominantType(types: Map<string, number>): string {
  let best: string | undefined;
  let bestCount = 0;
  let bestNoValue: string | undefined;
  let bestNoValueCount = 0;
  for (const [type, count] of types) {
    if (NO_VALUE_TYPES.has(type)) {
      if (count > bestNoValueCount) [bestNoValue, bestNoValueCount] = [type, count];
    } else if (count > bestCount) {
      [best, bestCount] = [type, count];
    }
  }
  if (best === 'integer' && types.has('number')) {
    const realTypes = [...types.keys()].filter((type) => !NO_VALUE_TYPES.has(type));
    if (realTypes.length === 2) return 'number';
  }
  return best ?? bestNoValue ?? 'null';
}

/** The JSON type of a parsed value, with whole numbers told apart as `integer`. */
function jsonValueType(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return Array.isArray(value) ? 'array' : 'object';
    default:
      return typeof value;
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The type a CSV/TSV cell's text spells: `empty` (blank cell, CSV's null), `integer`, `number`,
 * `boolean` (`true`/`false`, any case) or `string`. Surrounding spaces are ignored. A non-string
 * value (a parser that already typed it) falls back to its JSON type.
 */
function textValueType(value: unknown): string {
  if (typeof value !== 'string') return jsonValueType(value);
  const text = value.trim();
  if (text.length === 0) return 'empty';
  // A first-character check keeps the regular expressions off plain text cells.
  const first = text.charCodeAt(0);
  const numeric = (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46;
  if (numeric) {
    if (INTEGER_TEXT.test(text)) return 'integer';
    if (NUMBER_TEXT.test(text)) return 'number';
    return 'string';
  }
  if (text.length <= 5) {
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return 'boolean';
  }
  return 'string';
}
