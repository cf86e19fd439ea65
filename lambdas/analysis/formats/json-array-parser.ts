/**
 * A JSON document whose top level is an array of records. JSON has no record boundaries a
 * streaming reader could trust, so the document is buffered and parsed whole with `JSON.parse`,
 * up to `maxJsonDocumentBytes` (larger documents are reported and dropped: JSONL is the format
 * for large datasets). Line numbers come from a light scan that finds where each top-level
 * element starts (strings are skipped with `indexOf`, so the scan costs far less than the parse).
 */
import { isUtf8 } from 'node:buffer';
import type { DatasetParser, Finding } from '../types.js';
import { describeJsonError, kindOf, type ParserContext } from './jsonl-parser.js';
import { asBuffer } from './line-splitter.js';

export const defaultMaxJsonDocumentBytes = 256 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The offsets (string indices) where the elements of the top-level array start, and where the
 * scan found the array closed. Tolerant: on malformed input it returns what it found so far.
 */
export function topLevelElementStarts(text: string): number[] {
  const starts: number[] = [];
  let i = text.indexOf('[');
  if (i === -1) return starts;
  let depth = 1;
  let expectingElement = true;
  i++;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (depth === 1 && expectingElement) {
        starts.push(i);
        expectingElement = false;
      }
      i = endOfString(text, i);
      if (i === -1) return starts;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (depth === 1 && expectingElement && c !== 0x5d && c !== 0x2c) {
      starts.push(i);
      expectingElement = false;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return starts;
    } else if (c === 0x2c && depth === 1) expectingElement = true;
    i++;
  }
  return starts;
}

/** Index just past the closing quote of the string opening at `open`, or -1. */
function endOfString(text: string, open: number): number {
  let i = open + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close === -1) return -1;
    let backslashes = 0;
    for (let j = close - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    i = close + 1;
  }
}

/** Counts LFs incrementally for increasing offsets of one string. */
class LineCounter {
  private offset = 0;
  private line = 1;
  constructor(private readonly text: string) {}
  lineAt(offset: number): number {
    if (offset < this.offset) {
      this.offset = 0;
      this.line = 1;
    }
    let lf = this.text.indexOf('\n', this.offset);
    while (lf !== -1 && lf < offset) {
      this.line++;
      lf = this.text.indexOf('\n', lf + 1);
    }
    this.offset = offset;
    return this.line;
  }
}

class JsonArrayParser implements DatasetParser {
  private parts: Buffer[] = [];
  private bytes = 0;
  private tooLarge = false;
  private readonly maxBytes: number;

  constructor(private readonly context: ParserContext) {
    this.maxBytes = context.options?.maxJsonDocumentBytes ?? defaultMaxJsonDocumentBytes;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.tooLarge) return;
    if (this.bytes > this.maxBytes) {
      this.tooLarge = true;
      this.parts = [];
      return;
    }
    // Copied: the caller may reuse its chunk buffers.
    this.parts.push(Buffer.from(asBuffer(chunk)));
  }

  end(): number {
    const count = this.parseDocument();
    for (const visitor of this.context.visitors) visitor.onEnd?.();
    return count;
  }

  private parseDocument(): number {
    if (this.tooLarge) {
      this.report({
        code: 'JSON_DOCUMENT_TOO_LARGE',
        line: 1,
        message: `The JSON document is larger than ${this.maxBytes} bytes and a JSON array must be parsed whole; convert it to JSONL (one object per line).`,
      });
      return 0;
    }
    let bytes = Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    if (!isUtf8(bytes)) {
      const line = lineOfFirstInvalidUtf8(bytes);
      this.report({
        code: 'INVALID_UTF8',
        line,
        message: `Line ${line} is not valid UTF-8; save the file as UTF-8.`,
      });
      return 0;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      this.report({
        code: 'EMPTY_DATASET',
        line: 1,
        message: 'The file is empty: a JSON dataset needs an array of objects.',
      });
      return 0;
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      this.reportInvalidJson(text, error);
      return 0;
    }
    if (!Array.isArray(document)) {
      this.report({
        code: 'NOT_AN_ARRAY',
        line: 1,
        message: `The JSON document is ${kindOf(document)}, not an array; a JSON dataset is an array of objects (or use JSONL).`,
      });
      return 0;
    }
    if (document.length === 0) {
      this.report({
        code: 'EMPTY_DATASET',
        line: 1,
        message: 'The JSON array is empty: the dataset has no records.',
      });
      return 0;
    }
    const starts = topLevelElementStarts(text);
    const lines = new LineCounter(text);
    let records = 0;
    for (let index = 0; index < document.length; index++) {
      const start = starts[index];
      const line = start === undefined ? 1 : lines.lineAt(start);
      const element: unknown = document[index];
      if (element === null || typeof element !== 'object' || Array.isArray(element)) {
        this.report({
          code: 'NOT_AN_OBJECT',
          line,
          row: index + 1,
          message: `Element ${index + 1} (line ${line}) is ${kindOf(element)}, not a JSON object.`,
        });
        continue;
      }
      const at = { line, index: records++ };
      for (const visitor of this.context.visitors) visitor.onRecord(element, at);
    }
    return records;
  }

  /**
   * Locates a syntax error. V8 gives a position for most errors; for "Unexpected token" it does
   * not, so each top-level element is parsed alone until one fails (error path only).
   */
  private reportInvalidJson(text: string, error: unknown): void {
    const { message, position } = describeJsonError(error);
    let offset = position;
    if (offset === undefined) {
      const starts = topLevelElementStarts(text);
      for (let k = 0; k < starts.length && offset === undefined; k++) {
        const start = starts[k] as number;
        const last = k + 1 === starts.length;
        const raw = text.slice(start, last ? text.length : (starts[k + 1] as number));
        const slice = last ? raw.replace(/\s*\]\s*$/, '') : raw.replace(/\s*,\s*$/, '');
        try {
          JSON.parse(slice);
        } catch (inner) {
          offset = start + (describeJsonError(inner).position ?? 0);
        }
      }
    }
    const line = offset === undefined ? undefined : new LineCounter(text).lineAt(offset);
    this.report({
      code: 'INVALID_JSON',
      ...(line === undefined ? {} : { line }),
      message: `The JSON document is not valid JSON${line === undefined ? '' : ` at line ${line}`}: ${message}.`,
    });
  }

  private report(finding: Omit<Finding, 'severity'>): void {
    this.context.findings.report({ severity: 'error', ...finding });
  }
}

/**
 * Error path only: the offset of the byte at which `bytes[0, end)` (known not to be valid UTF-8)
 * stops decoding - the last byte of the first invalid sequence, so on the line that holds it.
 * A binary search narrows it to a few bytes, then the exact byte is found one prefix at a time.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array, end: number = bytes.length): number {
  let low = 0;
  let high = end;
  // isUtf8 on prefixes is monotonic except for a sequence cut at the end; step back past it.
  while (high - low > 4) {
    const mid = (low + high) >>> 1;
    if (isUtf8(bytes.subarray(0, completeUtf8Length(bytes, mid)))) low = mid;
    else high = mid;
  }
  for (let length = low + 1; length <= high; length++) {
    if (!isUtf8(bytes.subarray(0, completeUtf8Length(bytes, length)))) return length - 1;
  }
  // Only the whole range fails: a last byte that merely looks like the start of a sequence.
  return Math.max(low, high - 1);
}

/** Error path only: the line holding the first byte that breaks UTF-8 decoding. */
function lineOfFirstInvalidUtf8(bytes: Buffer): number {
  const offset = firstInvalidUtf8Offset(bytes);
  let line = 1;
  for (let lf = bytes.indexOf(10); lf !== -1 && lf < offset; lf = bytes.indexOf(10, lf + 1)) line++;
  return line;
}

/** `end` moved back to the start of a multi-byte sequence it would cut. */
export function completeUtf8Length(bytes: Uint8Array, end: number): number {
  let i = end;
  while (i > 0 && end - i < 3 && ((bytes[i - 1] as number) & 0xc0) === 0x80) i--;
  if (i > 0 && (bytes[i - 1] as number) >= 0xc0) {
    const lead = bytes[i - 1] as number;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (end - (i - 1) < need) return i - 1;
  }
  return end;
}

/** A parser for a JSON array document; `end()` returns the number of object elements. */
export function createJsonArrayParser(context: ParserContext): DatasetParser {
  return new JsonArrayParser(context);
}
