import { describe, expect, it } from 'vitest';
import { createJsonlParser } from '../../../lambdas/analysis/formats/jsonl-parser.js';
import type { Finding } from '../../../lambdas/analysis/types.js';
import { chat, codes, jsonl, parse } from './parse-helpers.js';

describe('JSONL parser', () => {
  it('hands every object line to the visitors with its 1-based line and index', async () => {
    // Prepare
    const input = jsonl({ a: 1 }, { a: 2 }, { a: 3 });

    // Act
    const result = await parse('jsonl', input);

    // Assess
    expect(result.count).toBe(3);
    expect(result.findings).toEqual([]);
    expect(result.records.map((r) => r.at)).toEqual([
      { line: 1, index: 0, text: '{"a":1}', bytes: Buffer.from('{"a":1}') },
      { line: 2, index: 1, text: '{"a":2}', bytes: Buffer.from('{"a":2}') },
      { line: 3, index: 2, text: '{"a":3}', bytes: Buffer.from('{"a":3}') },
    ]);
    expect(result.ends).toBe(1);
  });

  it('accepts a BOM, CRLF line ends and a missing final newline', async () => {
    // Prepare
    const input = '\uFEFF{"a":1}\r\n{"a":2}\r\n{"a":3}';

    // Act
    const result = await parse('jsonl', input);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.records.map((r) => r.record)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('reports line 3 of a chat file that is not JSON as INVALID_JSON without echoing it', async () => {
    // Prepare
    const input = `${jsonl(chat('hi', 'hello'), chat('a', 'b'))}{"messages": [{"role": "user", "content": "sk-secret" }\n${jsonl(chat('c', 'd'))}`;

    // Act
    const result = await parse('jsonl', input);

    // Assess
    expect(result.count).toBe(3);
    expect(result.findings).toEqual([
      {
        severity: 'error',
        code: 'INVALID_JSON',
        line: 3,
        message: expect.stringMatching(/^Line 3 is not valid JSON at column 56: Expected ',' or '\]'/),
      },
    ]);
    expect(result.findings[0]?.message).not.toContain('sk-secret');
    expect(result.records.map((r) => r.at.line)).toEqual([1, 2, 4]);
  });

  it('names arrays and scalars as NOT_AN_OBJECT', async () => {
    // Act
    const result = await parse('jsonl', '[1,2]\n"text"\n{"ok":true}\nnull\n');

    // Assess
    expect(result.findings.map((f) => [f.code, f.line, f.message])).toEqual([
      ['NOT_AN_OBJECT', 1, 'Line 1 is an array, not a JSON object; each JSONL line must be one object.'],
      ['NOT_AN_OBJECT', 2, 'Line 2 is a string, not a JSON object; each JSONL line must be one object.'],
      ['NOT_AN_OBJECT', 4, 'Line 4 is null, not a JSON object; each JSONL line must be one object.'],
    ]);
    expect(result.count).toBe(1);
  });

  it('skips blank and whitespace-only lines with one BLANK_LINE warning', async () => {
    // Act
    const result = await parse('jsonl', '{"a":1}\n\n   \r\n{"a":2}\n\n');

    // Assess
    expect(result.count).toBe(2);
    expect(result.findings).toEqual([
      {
        severity: 'warning',
        code: 'BLANK_LINE',
        line: 2,
        message: '3 blank line(s) were skipped, the first on line 2.',
      },
    ]);
  });

  it('reports INVALID_UTF8 with the line', async () => {
    // Prepare
    const input = Buffer.concat([
      Buffer.from('{"a":"ok"}\n{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n'),
    ]);

    // Act
    const result = await parse('jsonl', input);

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_UTF8', 2]]);
    expect(result.count).toBe(1);
  });

  it('reports EMPTY_DATASET for an empty file', async () => {
    // Act
    const result = await parse('jsonl', '');

    // Assess
    expect(codes(result.findings)).toEqual(['EMPTY_DATASET']);
    expect(result.count).toBe(0);
  });

  it('reports LINE_TOO_LONG without buffering the line, then reads the next lines', async () => {
    // Prepare
    const findings: Finding[] = [];
    const lines: number[] = [];
    const parser = createJsonlParser(
      {
        visitors: [{ onRecord: (_record, at) => lines.push(at.line) }],
        findings: { report: (f) => findings.push(f) },
      },
      { maxLineBytes: 16 },
    );

    // Act
    parser.push(Buffer.from('{"a":1}\n{"long":"'));
    for (let k = 0; k < 10; k++) parser.push(Buffer.from('xxxxxxxxxx'));
    parser.push(Buffer.from('"}\n{"a":3}\n'));
    const count = parser.end();

    // Assess
    expect(findings).toEqual([
      {
        severity: 'error',
        code: 'LINE_TOO_LONG',
        line: 2,
        message: 'Line 2 is longer than 16 bytes; a JSONL record must fit on one line of at most that size.',
      },
    ]);
    expect(lines).toEqual([1, 3]);
    expect(count).toBe(2);
  });

  it('gives identical results pushed one byte at a time, across multi-byte characters and lines', async () => {
    // Prepare
    const input = `\uFEFF${jsonl({ text: 'naïve café 日本語 🎉' }, chat('über', 'ça va'))}{"bad": }\r\n{"emoji":"🎉"}`;

    // Act
    const whole = await parse('jsonl', input);
    const bytewise = await parse('jsonl', input, { chunkBytes: 1 });
    const threes = await parse('jsonl', input, { chunkBytes: 3 });

    // Assess
    expect(whole.records).toHaveLength(3);
    expect(bytewise).toEqual(whole);
    expect(threes).toEqual(whole);
    expect(codes(whole.findings)).toEqual(['INVALID_JSON']);
  });
});
