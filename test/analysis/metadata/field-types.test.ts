import { describe, expect, it } from 'vitest';
import {
  createFieldTypesVisitor,
  MAX_TRACKED_FIELDS,
} from '../../../lambdas/analysis/metadata/field-types.js';
import { feed, recordingSink } from './chat-fixtures.js';

describe('createFieldTypesVisitor', () => {
  it('lists the keys of JSON records in first-seen order with their types and missing counts', () => {
    // Prepare
    const visitor = createFieldTypesVisitor();

    // Act
    feed(visitor, [
      { id: 1, text: 'a', tags: ['x'] },
      { id: 2.5, text: null, meta: { k: 1 } },
      { id: 3, text: 'c', tags: [], ok: true },
      'not an object',
    ]);

    // Assess
    expect(visitor.fields()).toEqual([
      { name: 'id', type: 'number', types: { integer: 2, number: 1 }, missing: 0 },
      { name: 'text', type: 'string', types: { string: 2, null: 1 }, missing: 1 },
      { name: 'tags', type: 'array', types: { array: 2 }, missing: 1 },
      { name: 'meta', type: 'object', types: { object: 1 }, missing: 2 },
      { name: 'ok', type: 'boolean', types: { boolean: 1 }, missing: 2 },
    ]);
  });

  it('infers integer, number, boolean, string and empty from CSV text', () => {
    // Prepare
    const visitor = createFieldTypesVisitor({ fromText: true });

    // Act
    feed(visitor, [
      { id: '1', score: '0.5', ok: 'TRUE', name: 'ana', note: '' },
      { id: '2', score: '-1e3', ok: 'false', name: '12abc', note: '' },
      { id: ' 3 ', score: '7', ok: 'no', name: 'bo', note: 'late' },
    ]);

    // Assess
    expect(visitor.fields()).toEqual([
      { name: 'id', type: 'integer', types: { integer: 3 }, missing: 0 },
      { name: 'score', type: 'number', types: { number: 2, integer: 1 }, missing: 0 },
      { name: 'ok', type: 'boolean', types: { boolean: 2, string: 1 }, missing: 0 },
      { name: 'name', type: 'string', types: { string: 3 }, missing: 0 },
      { name: 'note', type: 'string', types: { empty: 2, string: 1 }, missing: 2 },
    ]);
  });

  it('reports a column that is always empty as empty', () => {
    // Prepare
    const visitor = createFieldTypesVisitor({ fromText: true });

    // Act
    feed(visitor, [{ a: '' }, { a: ' ' }]);

    // Assess
    expect(visitor.fields()).toEqual([{ name: 'a', type: 'empty', types: { empty: 2 }, missing: 2 }]);
  });

  it(`keeps ${MAX_TRACKED_FIELDS} field names and counts the rest under "..." with a warning`, () => {
    // Prepare
    const wide = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, i]));
    const findings = recordingSink();
    const visitor = createFieldTypesVisitor({ findings });

    // Act
    feed(visitor, [wide, { f0: 1 }]);
    const fields = visitor.fields();

    // Assess
    expect(fields).toHaveLength(MAX_TRACKED_FIELDS + 1);
    expect(fields[MAX_TRACKED_FIELDS - 1]?.name).toBe(`f${MAX_TRACKED_FIELDS - 1}`);
    expect(fields[MAX_TRACKED_FIELDS]).toEqual({
      name: '...',
      type: 'integer',
      types: { integer: 100 },
      missing: 1,
    });
    expect(findings.findings.map((f) => [f.severity, f.code])).toEqual([['warning', 'TOO_MANY_FIELDS']]);
  });
});
