/**
 * Decides which text dataset format a file is from its first bytes (at most 64 KiB), and checks
 * the extension against it: a `.jsonl` whose content is CSV is an error that says so, because a
 * fine-tuning job would reject it hours later. Content wins; the extension only decides when the
 * content is not clear (an empty file, a first line longer than the head).
 *
 * Content rules, after a UTF-8 BOM and leading whitespace:
 *   `{` and line 1 is a complete JSON object, or several lines start with `{`  -> jsonl
 *   `[`                                                                           -> json
 *   otherwise rows with the same number of tabs (or commas) outside quotes        -> tsv / csv
 * A head with NUL bytes or more than a few invalid UTF-8 sequences is not text: undefined.
 * A file without a dataset extension (`.txt`, `.md`, none ...) is a dataset only when its content
 * is JSON: prose and logs often look comma-separated, so that evidence alone is not enough.
 */
import { isUtf8 } from 'node:buffer';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { Finding } from '../types.js';
import { completeUtf8Length } from './json-array-parser.js';

export interface TextFormatDetection {
  format: 'jsonl' | 'json' | 'csv' | 'tsv';
  /** `content and extension`, `content` (the extension disagrees or says nothing) or `extension`. */
  detectedBy: string;
  findings: Finding[];
}

type TextFormat = TextFormatDetection['format'];

const formatByExtension: Record<string, TextFormat> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
};

const formatNames: Record<TextFormat, string> = {
  jsonl: 'JSONL',
  json: 'a JSON array',
  csv: 'CSV',
  tsv: 'TSV',
};

/** More U+FFFD than this in the head means binary, not a text file with a few bad bytes. */
const maxInvalidUtf8InHead = 8;
/** Rows of the head used to judge a delimited file. */
const sampleRows = 50;

interface ContentGuess {
  format: TextFormat;
  description: string;
  /** Strong enough evidence to call a file without a dataset extension a dataset. */
  clear?: boolean;
}

export function detectFormat(filename: string, head: Uint8Array): TextFormatDetection | undefined {
  const extension = extensionOf(filename);
  const byExtension = extension === undefined ? undefined : formatByExtension[extension];
  const text = decodeHead(head);
  if (text === undefined) return undefined;
  const truncated = head.length >= 64 * 1024;
  const guess = guessFromContent(text, truncated, byExtension);
  if (guess === undefined || (byExtension === undefined && !guess.clear)) {
    return byExtension === undefined
      ? undefined
      : { format: byExtension, detectedBy: 'extension', findings: [] };
  }
  if (byExtension === undefined) return { format: guess.format, detectedBy: 'content', findings: [] };
  if (byExtension === guess.format)
    return { format: guess.format, detectedBy: 'content and extension', findings: [] };
  const name = filename.split(/[\\/]/).pop() ?? filename;
  return {
    format: guess.format,
    detectedBy: 'content',
    findings: [
      {
        severity: 'error',
        code: 'FORMAT_MISMATCH',
        line: 1,
        message: `${name} has a .${extension} extension but its content is ${guess.description}; rename it or convert it to ${formatNames[byExtension]}.`,
      },
    ],
  };
}

function extensionOf(filename: string): string | undefined {
  const name = filename.split(/[\\/]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? undefined : name.slice(dot + 1).toLowerCase();
}

/** The head as text, without BOM; undefined when it is not text. */
function decodeHead(head: Uint8Array): string | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (bytes.indexOf(0) !== -1) return undefined;
  // The head may end inside a multi-byte character: that is not an encoding error.
  const complete = bytes.subarray(0, completeUtf8Length(bytes, bytes.length));
  const text = complete.toString('utf8');
  if (!isUtf8(complete)) {
    let invalid = 0;
    for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) invalid++;
    if (invalid > maxInvalidUtf8InHead) return undefined;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function guessFromContent(
  text: string,
  truncated: boolean,
  byExtension: TextFormat | undefined,
): ContentGuess | undefined {
  const start = text.search(/\S/);
  if (start === -1) return undefined;
  const first = text[start];
  if (first === '[') {
    // `[INFO] ...` log lines also open with `[`: only `[{` or `[]` is clearly a dataset.
    const next = text.slice(start + 1).match(/\S/)?.[0];
    return { format: 'json', description: 'a JSON array', clear: next === '{' || next === ']' };
  }
  if (first === '{') return guessJson(text, start, truncated, byExtension);
  return guessDelimited(text, start, truncated);
}

function guessJson(
  text: string,
  start: number,
  truncated: boolean,
  byExtension: TextFormat | undefined,
): ContentGuess {
  const jsonl: ContentGuess = {
    format: 'jsonl',
    description: 'JSON Lines (line 1 is a JSON object)',
    clear: true,
  };
  const document: ContentGuess = {
    format: 'json',
    description: 'a JSON document spanning several lines, not JSON Lines',
  };
  const lf = text.indexOf('\n', start);
  if (lf === -1 && truncated) return byExtension === 'json' ? document : { ...jsonl, clear: false };
  const firstLine = text.slice(start, lf === -1 ? text.length : lf);
  if (isJsonObject(firstLine)) {
    // A single-line `.json` file holding one object is a JSON document, not JSONL.
    const single = text.slice(lf === -1 ? text.length : lf).trim() === '';
    return single && byExtension === 'json' ? { format: 'json', description: 'a JSON object' } : jsonl;
  }
  const objectLines = text.match(/^\{/gm)?.length ?? 0;
  return objectLines >= 2 ? { ...jsonl, clear: false } : document;
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

function guessDelimited(text: string, start: number, truncated: boolean): ContentGuess | undefined {
  // Only whole rows: the head may end in the middle of one.
  const end = truncated ? text.lastIndexOf('\n') : text.length;
  const sample = text.slice(start, end === -1 ? text.length : end);
  for (const [delimiter, format, name] of [
    ['\t', 'tsv', 'tab-separated'],
    [',', 'csv', 'comma-separated'],
  ] as const) {
    const columns = consistentColumns(sample, delimiter);
    if (columns !== undefined && columns >= 2) {
      return { format, description: `${format.toUpperCase()} (${name}, ${columns} columns on line 1)` };
    }
  }
  return undefined;
}

/** The column count when every sampled row has the same one, else undefined. */
function consistentColumns(sample: string, delimiter: string): number | undefined {
  let rows: string[][];
  try {
    rows = parseCsvSync(sample, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      to_line: sampleRows,
    }) as string[][];
  } catch {
    return undefined;
  }
  const columns = rows[0]?.length;
  if (columns === undefined) return undefined;
  return rows.every((row) => row.length === columns) ? columns : undefined;
}
