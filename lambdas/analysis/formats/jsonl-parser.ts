/**
 * JSON Lines: every non-empty line is one JSON object. The hot path per line is: find the LF
 * (`LineSplitter`, native), check UTF-8 (`isUtf8`, native simdutf), decode, `JSON.parse` once.
 * No per-character JS work, so the pass runs near `JSON.parse` speed.
 *
 * Tolerated, as every JSONL reader does: a UTF-8 BOM before line 1, CRLF line ends, a missing
 * final newline, blank (or whitespace-only) lines, which are skipped and summarized in one
 * `BLANK_LINE` warning.
 */
import { isUtf8 } from 'node:buffer';
import type { AnalysisOptions, DatasetParser, Finding, FindingSink, RecordVisitor } from '../types.js';
import { defaultMaxLineBytes, LineSplitter } from './line-splitter.js';

export interface ParserContext {
  visitors: RecordVisitor[];
  findings: FindingSink;
  options?: AnalysisOptions;
}

/** Options beyond `AnalysisOptions` that tests use to exercise limits on small inputs. */
export interface JsonlLimits {
  maxLineBytes?: number;
}

/**
 * Turns a `JSON.parse` error into words that never echo the input: V8's "Unexpected token"
 * messages quote a snippet of the line, which may be a secret or personal data.
 * Returns the sanitized message and the 0-based position when V8 gives one.
 */
export function describeJsonError(error: unknown): { message: string; position?: number } {
  const raw = error instanceof Error ? error.message : String(error);
  const snippetAt = raw.search(/, (?:\.\.\.)?"/);
  const head = snippetAt === -1 ? raw : raw.slice(0, snippetAt);
  const match = / in JSON at position (\d+)/.exec(head);
  if (!match) return { message: head.replace(/ \(line \d+ column \d+\)$/, '') };
  const position = Number(match[1]);
  return { message: head.slice(0, match.index), position };
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

class JsonlParser implements DatasetParser {
  private readonly splitter: LineSplitter;
  private records = 0;
  private nonBlankLines = 0;
  private blankLines = 0;
  private firstBlankLine = 0;

  constructor(
    private readonly context: ParserContext,
    limits: JsonlLimits,
  ) {
    this.splitter = new LineSplitter(
      {
        onLine: (bytes, start, end, line) => this.onLine(bytes, start, end, line),
        onLineTooLong: (line, max) => {
          this.nonBlankLines++;
          this.report({
            code: 'LINE_TOO_LONG',
            line,
            message: `Line ${line} is longer than ${max} bytes; a JSONL record must fit on one line of at most that size.`,
          });
        },
      },
      limits.maxLineBytes ?? defaultMaxLineBytes,
    );
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }

  end(): number {
    this.splitter.end();
    if (this.nonBlankLines === 0) {
      this.report({
        code: 'EMPTY_DATASET',
        line: 1,
        message: 'The file has no records: a JSONL dataset needs one JSON object per line.',
      });
    }
    if (this.blankLines > 0) {
      this.context.findings.report({
        severity: 'warning',
        code: 'BLANK_LINE',
        line: this.firstBlankLine,
        message: `${this.blankLines} blank line(s) were skipped, the first on line ${this.firstBlankLine}.`,
      });
    }
    for (const visitor of this.context.visitors) visitor.onEnd?.();
    return this.records;
  }

  private onLine(bytes: Buffer, start: number, end: number, line: number): void {
    // A UTF-8 BOM (EF BB BF) may open the file; JSON.parse would reject it.
    if (
      line === 1 &&
      end - start >= 3 &&
      bytes[start] === 0xef &&
      bytes[start + 1] === 0xbb &&
      bytes[start + 2] === 0xbf
    ) {
      start += 3;
    }
    if (end > start && bytes[end - 1] === 13) end--;
    if (end === start) {
      this.blank(line);
      return;
    }
    const lineBytes = bytes.subarray(start, end);
    if (!isUtf8(lineBytes)) {
      this.nonBlankLines++;
      this.report({
        code: 'INVALID_UTF8',
        line,
        message: `Line ${line} is not valid UTF-8; save the file as UTF-8.`,
      });
      return;
    }
    const text = lineBytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // Whitespace-only lines land here too; trimming only on this path keeps the hot path lean.
      if (text.trim() === '') {
        this.blank(line);
        return;
      }
      this.nonBlankLines++;
      const { message, position } = describeJsonError(error);
      const column = position === undefined ? '' : ` at column ${position + 1}`;
      this.report({
        code: 'INVALID_JSON',
        line,
        message: `Line ${line} is not valid JSON${column}: ${message}.`,
      });
      return;
    }
    this.nonBlankLines++;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.report({
        code: 'NOT_AN_OBJECT',
        line,
        message: `Line ${line} is ${kindOf(value)}, not a JSON object; each JSONL line must be one object.`,
      });
      return;
    }
    const at = { line, index: this.records++, text, bytes: lineBytes };
    for (const visitor of this.context.visitors) visitor.onRecord(value, at);
  }

  private blank(line: number): void {
    if (this.blankLines++ === 0) this.firstBlankLine = line;
  }

  private report(finding: Omit<Finding, 'severity'>): void {
    this.context.findings.report({ severity: 'error', ...finding });
  }
}

/** A push parser for JSON Lines; `end()` returns the number of records handed to the visitors. */
export function createJsonlParser(context: ParserContext, limits: JsonlLimits = {}): DatasetParser {
  return new JsonlParser(context, limits);
}
