/**
 * CSV and TSV through csv-parse (RFC 4180: quoted fields may hold delimiters, CRLF/LF and doubled
 * quotes). csv-parse runs as a stream; records are taken synchronously in its `on_record` hook
 * (which returns null, so nothing piles up on the readable side) and syntax errors in its
 * `on_skip` hook (with `skip_records_with_error`), so every finding is reported in file order.
 *
 * Our rules on top of csv-parse: the first row is the header (names non-empty, unique, not all
 * numbers); every row has as many fields as the header; the first syntax error (bad quoting, a
 * record too large) stops the parse, because everything after a broken quote is misread.
 *
 * Lines: csv-parse counts a CR and an LF inside a quoted field as two lines, so physical lines
 * (LF-terminated) are computed here from byte offsets: `LineIndex` knows where the LFs are, a
 * record's end offset gives its last line, and the LFs inside its fields give its first line.
 */
import { isUtf8 } from 'node:buffer';
import { type CsvError, Parser } from 'csv-parse';
import type { DatasetParser, Finding } from '../types.js';
import { completeUtf8Length, firstInvalidUtf8Offset } from './json-array-parser.js';
import type { ParserContext } from './jsonl-parser.js';
import { asBuffer } from './line-splitter.js';

/** Largest record csv-parse buffers (characters); a runaway quote is reported, not buffered. */
export const defaultMaxCsvRecordChars = 64 * 1024 * 1024;

/** Positions of LF bytes not yet behind the parser, to turn byte offsets into line numbers. */
class LineIndex {
  private offsets: number[] = [];
  private head = 0;
  private forgotten = 0;

  add(bytes: Buffer, base: number): void {
    for (let lf = bytes.indexOf(10); lf !== -1; lf = bytes.indexOf(10, lf + 1)) this.offsets.push(base + lf);
  }

  /** 1-based line holding the byte at `offset`. */
  lineAt(offset: number): number {
    let low = this.head;
    let high = this.offsets.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.offsets[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    return 1 + this.forgotten + (low - this.head);
  }

  /** The parser is past `offset`: LFs before it only matter as a count. */
  forget(offset: number): void {
    while (this.head < this.offsets.length && (this.offsets[this.head] as number) < offset) {
      this.head++;
      this.forgotten++;
    }
    if (this.head > 4096 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    }
  }
}

const csvErrorCodes: Record<string, { code: string; hint: string }> = {
  CSV_QUOTE_NOT_CLOSED: {
    code: 'UNTERMINATED_QUOTE',
    hint: 'a quoted field is never closed; close it with " (and double any " inside it)',
  },
  CSV_INVALID_CLOSING_QUOTE: {
    code: 'INVALID_QUOTE',
    hint: 'a closing quote is followed by other characters; inside a quoted field write " as ""',
  },
  INVALID_OPENING_QUOTE: {
    code: 'INVALID_QUOTE',
    hint: 'a quote appears inside an unquoted field; quote the whole field and write " as ""',
  },
  CSV_MAX_RECORD_SIZE: {
    code: 'RECORD_TOO_LARGE',
    hint: 'a record is larger than the limit, usually because of a quote that is never closed',
  },
};

interface RecordInfo {
  bytes: number;
}

function countLf(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let lf = field.indexOf('\n'); lf !== -1; lf = field.indexOf('\n', lf + 1)) count++;
  }
  return count;
}

class CsvParser implements DatasetParser {
  private readonly csv: Parser;
  private readonly lines = new LineIndex();
  private readonly delimiterName: string;
  private pushedBytes = 0;
  private utf8Carry: Buffer | undefined;
  private utf8Reported = false;
  private stopped = false;
  private visitorError: unknown;
  private header: string[] | undefined;
  private dataRows = 0;
  private records = 0;

  constructor(
    private readonly context: ParserContext,
    delimiter: ',' | '\t',
    maxRecordChars = defaultMaxCsvRecordChars,
  ) {
    this.delimiterName = delimiter === ',' ? 'CSV' : 'TSV';
    this.csv = new Parser({
      delimiter,
      quote: '"',
      escape: '"',
      bom: true,
      // Both, so a file mixing CRLF and LF rows still parses (csv-parse would lock onto the first).
      record_delimiter: ['\r\n', '\n'],
      encoding: 'utf8',
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: maxRecordChars,
      on_record: (record: string[], info: RecordInfo) => {
        this.onRecord(record, info);
        return null;
      },
      on_skip: (error: CsvError | undefined) => {
        if (error) this.onSyntaxError(error);
        return undefined;
      },
    });
    // Errors are taken in on_skip; a stream error is only a visitor exception, rethrown by push.
    this.csv.on('error', (error) => {
      this.visitorError ??= error;
    });
  }

  async push(chunk: Uint8Array): Promise<void> {
    const bytes = asBuffer(chunk);
    // UTF-8 is checked on every byte, also after a syntax error stopped the parse, so the
    // findings do not depend on how the bytes were chunked.
    this.lines.add(bytes, this.pushedBytes);
    this.checkUtf8(bytes);
    this.pushedBytes += bytes.length;
    if (this.stopped) return;
    await new Promise<void>((resolve) => this.csv.write(bytes, () => resolve()));
    this.rethrow();
  }

  async end(): Promise<number> {
    if (!this.stopped) await new Promise<void>((resolve) => this.csv.end(() => resolve()));
    else this.csv.destroy();
    this.rethrow();
    if (this.utf8Carry && !this.utf8Reported)
      this.reportInvalidUtf8(this.pushedBytes - this.utf8Carry.length);
    if (this.header === undefined && !this.stopped) {
      this.report({
        code: 'EMPTY_DATASET',
        line: 1,
        message: `The file is empty: a ${this.delimiterName} dataset needs a header row and data rows.`,
      });
    } else if (this.header !== undefined && this.dataRows === 0 && !this.stopped) {
      this.report({ code: 'EMPTY_DATASET', line: 2, message: `The file has a header row but no data rows.` });
    }
    for (const visitor of this.context.visitors) visitor.onEnd?.();
    return this.records;
  }

  private onRecord(fields: string[], info: RecordInfo): void {
    if (this.stopped) return;
    // info.bytes is the offset just past the record's delimiter (or the end of the file).
    const lastLine = this.lines.lineAt(info.bytes - 1);
    const line = lastLine - countLf(fields);
    this.lines.forget(info.bytes);
    if (this.header === undefined) {
      this.header = this.checkHeader(fields, line);
      return;
    }
    const row = ++this.dataRows;
    const header = this.header;
    if (fields.length !== header.length) {
      this.report({
        code: 'COLUMN_COUNT_MISMATCH',
        line,
        row,
        message: `Line ${line} has ${fields.length} field(s) but the header has ${header.length} column(s); quote fields that contain the delimiter.`,
      });
      return;
    }
    const record: Record<string, string> = {};
    for (let k = 0; k < header.length; k++) {
      const key = header[k] as string;
      // A column named __proto__ must stay a field, not replace the record's prototype.
      if (key === '__proto__')
        Object.defineProperty(record, key, {
          value: fields[k],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else record[key] = fields[k] as string;
    }
    const at = { line, index: this.records++ };
    try {
      for (const visitor of this.context.visitors) visitor.onRecord(record, at);
    } catch (error) {
      this.visitorError ??= error;
      this.stopped = true;
    }
  }

  /** Reports header problems; returns the keys records are built with (always unique). */
  private checkHeader(names: string[], line: number): string[] {
    const keys: string[] = [];
    const seen = new Set<string>();
    const numeric = names.filter((name) => name.trim() !== '' && Number.isFinite(Number(name))).length;
    if (numeric > 0 && numeric === names.filter((name) => name.trim() !== '').length) {
      this.report({
        code: 'MISSING_HEADER',
        line,
        message: `Line ${line} looks like data (every name is a number); the first row of a ${this.delimiterName} dataset must name its columns.`,
      });
    }
    names.forEach((name, k) => {
      let key = name.trim();
      if (key === '') {
        this.report({
          code: 'EMPTY_COLUMN_NAME',
          line,
          field: `column ${k + 1}`,
          message: `Column ${k + 1} of the header on line ${line} has no name.`,
        });
        key = `column_${k + 1}`;
      } else if (seen.has(key)) {
        this.report({
          code: 'DUPLICATE_COLUMN_NAME',
          line,
          field: key,
          message: `The header on line ${line} names column "${key}" more than once (column ${k + 1}).`,
        });
      }
      while (seen.has(key)) key = `${key}_${k + 1}`;
      seen.add(key);
      keys.push(key);
    });
    return keys;
  }

  private onSyntaxError(error: CsvError): void {
    if (this.stopped) return;
    this.stopped = true;
    const known = csvErrorCodes[error.code];
    // error.bytes is the offset of the last field boundary before the problem.
    const bytes: unknown = (error as unknown as { bytes?: unknown }).bytes;
    const offset = typeof bytes === 'number' ? bytes : 0;
    const line = this.lines.lineAt(offset);
    const hint = known?.hint ?? error.message.replace(/ at line \d+/, '');
    this.report({
      code: known?.code ?? 'CSV_SYNTAX_ERROR',
      line,
      ...(this.header ? { row: this.dataRows + 1 } : {}),
      message: `The ${this.delimiterName} record at line ${line} cannot be read: ${hint}. Parsing stopped there.`,
    });
  }

  /** UTF-8 is checked per chunk; a sequence cut by the chunk boundary is carried to the next. */
  private checkUtf8(chunk: Buffer): void {
    if (this.utf8Reported) return;
    const base = this.pushedBytes - (this.utf8Carry?.length ?? 0);
    const bytes = this.utf8Carry ? Buffer.concat([this.utf8Carry, chunk]) : chunk;
    const complete = completeUtf8Length(bytes, bytes.length);
    this.utf8Carry = complete < bytes.length ? Buffer.from(bytes.subarray(complete)) : undefined;
    if (isUtf8(bytes.subarray(0, complete))) return;
    this.reportInvalidUtf8(base + firstInvalidUtf8Offset(bytes, complete));
  }

  private reportInvalidUtf8(offset: number): void {
    this.utf8Reported = true;
    const line = this.lines.lineAt(offset);
    this.report({
      code: 'INVALID_UTF8',
      line,
      message: `Line ${line} is not valid UTF-8 (reported once per file); save the file as UTF-8.`,
    });
  }

  private rethrow(): void {
    if (this.visitorError !== undefined) throw this.visitorError;
  }

  private report(finding: Omit<Finding, 'severity'>): void {
    this.context.findings.report({ severity: 'error', ...finding });
  }
}

/** A push parser for CSV (`,`) or TSV (tab); `end()` returns the number of well-formed data rows. */
export function createCsvParser(context: ParserContext, delimiter: ',' | '\t'): DatasetParser {
  return new CsvParser(context, delimiter);
}
