import { describe, expect, it } from 'vitest';
import { codes, parse } from './parse-helpers.js';

describe('JSON array parser', () => {
  it('hands each element to the visitors with the line where it starts', async () => {
    // Prepare
    const input = '[\n  {"a": 1},\n  {\n    "a": "x]\\"{"\n  },\n  {"a": [1, {"b": 2}]}\n]\n';

    // Act
    const result = await parse('json', input);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.count).toBe(3);
    expect(result.records.map((r) => r.at)).toEqual([
      { line: 2, index: 0 },
      { line: 3, index: 1 },
      { line: 6, index: 2 },
    ]);
  });

  it('reports elements that are not objects with their line and element number', async () => {
    // Act
    const result = await parse('json', '[{"a":1},\n 42,\n "s"]');

    // Assess
    expect(result.findings.map((f) => [f.code, f.line, f.row])).toEqual([
      ['NOT_AN_OBJECT', 2, 2],
      ['NOT_AN_OBJECT', 3, 3],
    ]);
    expect(result.count).toBe(1);
  });

  it('reports INVALID_JSON at the line of the error, also when V8 gives no position', async () => {
    // Act
    const positioned = await parse('json', '[\n{"a":1},\n{"a":1\n]');
    const unpositioned = await parse('json', '[\n{"a":1},\n\n{"a": }\n]');

    // Assess
    expect(positioned.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_JSON', 4]]);
    expect(unpositioned.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_JSON', 4]]);
    expect(unpositioned.findings[0]?.message).toBe(
      "The JSON document is not valid JSON at line 4: Unexpected token '}'.",
    );
  });

  it('reports a top-level object as NOT_AN_ARRAY and an empty array as EMPTY_DATASET', async () => {
    // Act
    const object = await parse('json', '{"data": []}');
    const empty = await parse('json', '\uFEFF [ ] ');

    // Assess
    expect(codes(object.findings)).toEqual(['NOT_AN_ARRAY']);
    expect(codes(empty.findings)).toEqual(['EMPTY_DATASET']);
  });

  it('refuses a document above maxJsonDocumentBytes and says to use JSONL', async () => {
    // Act
    const result = await parse('json', `[${'{"a":1},'.repeat(100)}{"a":1}]`, {
      chunkBytes: 64,
      options: { maxJsonDocumentBytes: 512 },
    });

    // Assess
    expect(codes(result.findings)).toEqual(['JSON_DOCUMENT_TOO_LARGE']);
    expect(result.findings[0]?.message).toContain('convert it to JSONL');
    expect(result.count).toBe(0);
  });

  it('gives identical results pushed one byte at a time', async () => {
    // Prepare
    const input = '\uFEFF[{"t":"日本語 🎉"},\r\n{"t":"é"}]';

    // Act
    const whole = await parse('json', input);
    const bytewise = await parse('json', input, { chunkBytes: 1 });

    // Assess
    expect(whole.count).toBe(2);
    expect(bytewise).toEqual(whole);
  });

  it('reports INVALID_UTF8 with its line', async () => {
    // Act
    const result = await parse(
      'json',
      Buffer.concat([Buffer.from('[\n{"a":1},\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}]')]),
    );

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_UTF8', 3]]);
  });
});
