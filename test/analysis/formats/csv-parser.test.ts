import { describe, expect, it } from 'vitest';
import { codes, parse } from './parse-helpers.js';

describe('CSV and TSV parser', () => {
  it('reads a 999-row CSV as 999 records keyed by its header', async () => {
    // Prepare
    const rows = Array.from({ length: 999 }, (_, k) => `${k},"text, number ${k}",${k % 2 ? 'pos' : 'neg'}`);
    const input = `id,text,label\n${rows.join('\n')}\n`;

    // Act
    const result = await parse('csv', input, { chunkBytes: 1000 });

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.count).toBe(999);
    expect(Object.keys(result.records[0]?.record as object)).toEqual(['id', 'text', 'label']);
    expect(result.records[998]).toEqual({
      record: { id: '998', text: 'text, number 998', label: 'neg' },
      at: { line: 1000, index: 998 },
    });
  });

  it('follows RFC 4180 quoting: embedded delimiters, newlines and doubled quotes', async () => {
    // Prepare
    const input = 'q,a\r\n"one, two","line1\r\nline2"\r\n"say ""hi""",plain\r\n';

    // Act
    const result = await parse('csv', input);

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.records).toEqual([
      { record: { q: 'one, two', a: 'line1\r\nline2' }, at: { line: 2, index: 0 } },
      { record: { q: 'say "hi"', a: 'plain' }, at: { line: 4, index: 1 } },
    ]);
  });

  it('reports COLUMN_COUNT_MISMATCH with expected and actual counts, line and row', async () => {
    // Act
    const result = await parse('csv', 'a,b,c\n1,2,3\n"multi\nline",2\n4,5,6,7\n');

    // Assess
    expect(result.findings).toEqual([
      {
        severity: 'error',
        code: 'COLUMN_COUNT_MISMATCH',
        line: 3,
        row: 2,
        message:
          'Line 3 has 2 field(s) but the header has 3 column(s); quote fields that contain the delimiter.',
      },
      {
        severity: 'error',
        code: 'COLUMN_COUNT_MISMATCH',
        line: 5,
        row: 3,
        message:
          'Line 5 has 4 field(s) but the header has 3 column(s); quote fields that contain the delimiter.',
      },
    ]);
    expect(result.count).toBe(1);
  });

  it('reports an unterminated quote at the line where its field starts and stops there', async () => {
    // Act
    const result = await parse('csv', 'a,b\n1,2\n3,"never closed\n4,5\n');

    // Assess
    expect(result.findings.map((f) => [f.code, f.line, f.row])).toEqual([['UNTERMINATED_QUOTE', 3, 2]]);
    expect(result.count).toBe(1);
  });

  it('reports a stray quote as INVALID_QUOTE', async () => {
    // Act
    const result = await parse('csv', 'a,b\n1,"x"y\n');

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_QUOTE', 2]]);
  });

  it('reports empty and duplicate header names, and a numeric first row as MISSING_HEADER', async () => {
    // Act
    const names = await parse('csv', 'text,,text\nx,y,z\n');
    const numeric = await parse('csv', '1,2\n3,4\n');

    // Assess
    expect(names.findings.map((f) => [f.code, f.field])).toEqual([
      ['EMPTY_COLUMN_NAME', 'column 2'],
      ['DUPLICATE_COLUMN_NAME', 'text'],
    ]);
    expect(names.records[0]?.record).toEqual({ text: 'x', column_2: 'y', text_3: 'z' });
    expect(codes(numeric.findings)).toEqual(['MISSING_HEADER']);
  });

  it('reports EMPTY_DATASET for an empty file and for a header without rows', async () => {
    // Act
    const empty = await parse('csv', '');
    const headerOnly = await parse('tsv', 'a\tb\n');

    // Assess
    expect(empty.findings.map((f) => [f.code, f.line])).toEqual([['EMPTY_DATASET', 1]]);
    expect(headerOnly.findings.map((f) => [f.code, f.line])).toEqual([['EMPTY_DATASET', 2]]);
  });

  it('reads TSV with a BOM, CRLF, blank lines and no final newline', async () => {
    // Act
    const result = await parse('tsv', '\uFEFFtext\tlabel\r\nhello, world\t1\r\n\r\nbye\t0');

    // Assess
    expect(result.findings).toEqual([]);
    expect(result.records).toEqual([
      { record: { text: 'hello, world', label: '1' }, at: { line: 2, index: 0 } },
      { record: { text: 'bye', label: '0' }, at: { line: 4, index: 1 } },
    ]);
  });

  it('reports INVALID_UTF8 once, with its line', async () => {
    // Act
    const result = await parse(
      'csv',
      Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );

    // Assess
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([['INVALID_UTF8', 3]]);
  });

  it('gives identical results pushed one byte at a time, across multi-byte characters and quoted newlines', async () => {
    // Prepare
    const input = '\uFEFFtext,label\r\n"café, 日本\r\n🎉",1\r\nnaïve,0\r\n"bad,1\n';

    // Act
    const whole = await parse('csv', input);
    const bytewise = await parse('csv', input, { chunkBytes: 1 });

    // Assess
    expect(whole.count).toBe(2);
    expect(codes(whole.findings)).toEqual(['UNTERMINATED_QUOTE']);
    expect(bytewise).toEqual(whole);
  });
});
