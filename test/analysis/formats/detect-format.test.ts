import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../lambdas/analysis/formats/detect-format.js';

const head = (text: string) => Buffer.from(text);

describe('detectFormat', () => {
  it('names a .jsonl whose content is CSV as FORMAT_MISMATCH and returns csv', () => {
    // Act
    const detection = detectFormat('train.jsonl', head('prompt,completion,source,id\nhi,hello,web,1\n'));

    // Assess
    expect(detection).toEqual({
      format: 'csv',
      detectedBy: 'content',
      findings: [
        {
          severity: 'error',
          code: 'FORMAT_MISMATCH',
          line: 1,
          message:
            'train.jsonl has a .jsonl extension but its content is CSV (comma-separated, 4 columns on line 1); rename it or convert it to JSONL.',
        },
      ],
    });
  });

  it.each([
    ['train.jsonl', '\uFEFF\n  {"messages": []}\n{"messages": []}\n', 'jsonl'],
    ['data.ndjson', '{"a":1}', 'jsonl'],
    ['data.json', '[{"a": 1}]', 'json'],
    ['data.json', '{\n  "a": 1\n}\n', 'json'],
    ['data.csv', 'text,label\n"a, b",1\n', 'csv'],
    ['data.tsv', 'text\tlabel\nhello, world\t1\n', 'tsv'],
    ['data.tab', 'text\tlabel\n', 'tsv'],
  ])('agrees with the extension for %s', (filename, content, format) => {
    // Act
    const detection = detectFormat(filename, head(content));

    // Assess
    expect(detection).toEqual({ format, detectedBy: 'content and extension', findings: [] });
  });

  it('detects JSONL by content when the file has no extension', () => {
    expect(detectFormat('upload', head('{"text": "x"}\n'))).toEqual({
      format: 'jsonl',
      detectedBy: 'content',
      findings: [],
    });
  });

  it('falls back to the extension when the content decides nothing (empty file, one column)', () => {
    expect(detectFormat('empty.csv', head(''))).toEqual({
      format: 'csv',
      detectedBy: 'extension',
      findings: [],
    });
    expect(detectFormat('single.csv', head('text\nhello\n'))).toEqual({
      format: 'csv',
      detectedBy: 'extension',
      findings: [],
    });
  });

  it('reports a TSV named .csv and a pretty-printed JSON named .jsonl', () => {
    expect(detectFormat('x.csv', head('a\tb\nc, d\te\n'))?.findings[0]?.message).toBe(
      'x.csv has a .csv extension but its content is TSV (tab-separated, 2 columns on line 1); rename it or convert it to CSV.',
    );
    expect(detectFormat('x.jsonl', head('{\n  "a": 1\n}\n'))).toMatchObject({
      format: 'json',
      findings: [{ code: 'FORMAT_MISMATCH' }],
    });
    expect(detectFormat('x.jsonl', head('[{"a": 1}]'))).toMatchObject({
      format: 'json',
      findings: [{ code: 'FORMAT_MISMATCH' }],
    });
  });

  it('returns undefined for prose, logs and binary content', () => {
    expect(detectFormat('notes.txt', head('Hello, world.\nSee you, later.\n'))).toBeUndefined();
    expect(detectFormat('README.md', head('# Title\n\nSome text.\n'))).toBeUndefined();
    expect(detectFormat('server.log', head('[INFO] started\n[WARN] slow\n'))).toBeUndefined();
    expect(detectFormat('weights.jsonl', Buffer.from([0x7b, 0x00, 0x01, 0x02]))).toBeUndefined();
    expect(
      detectFormat('x.csv', Buffer.from(Array.from({ length: 64 }, (_, k) => 0x80 + k))),
    ).toBeUndefined();
  });

  it('treats a first line longer than the head as JSONL', () => {
    // Prepare
    const longLine = `{"text": "${'x'.repeat(70_000)}"}`;

    // Act
    const detection = detectFormat('big.jsonl', head(longLine).subarray(0, 64 * 1024));

    // Assess
    expect(detection?.format).toBe('jsonl');
    expect(detection?.findings).toEqual([]);
  });
});
