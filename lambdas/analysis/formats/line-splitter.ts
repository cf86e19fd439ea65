/**
 * Splits a byte stream into lines on LF (0x0A), chunk by chunk, in bounded memory. Lines are
 * found with `Buffer.indexOf` (native memchr), never with a per-byte JS loop: this is the hot
 * path of the JSONL pass. A line that lies inside one chunk is handed over as a view of that
 * chunk (no copy); only a line that spans chunks is copied and joined.
 *
 * LF is never part of a multi-byte UTF-8 sequence, so every line is a complete UTF-8 byte
 * sequence whatever the chunking: decoding happens per line, after the split.
 */

/** Lines longer than this are reported and skipped, never buffered whole. */
export const defaultMaxLineBytes = 64 * 1024 * 1024;

export interface LineSink {
  /** One complete line, without its LF (a CR before the LF is kept: the sink decides). */
  onLine(bytes: Buffer, start: number, end: number, line: number): void;
  /** The line has more than `maxLineBytes` bytes; its bytes are dropped up to its LF. */
  onLineTooLong(line: number, maxLineBytes: number): void;
}

export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class LineSplitter {
  /** The start of the current line when it spans chunks (copies, since callers may reuse chunks). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** True while dropping the rest of a line that was too long. */
  private skipping = false;
  private line = 1;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = defaultMaxLineBytes,
  ) {}

  /** Lines started so far (1-based number of the line being read). */
  get currentLine(): number {
    return this.line;
  }

  push(chunk: Uint8Array): void {
    const bytes = asBuffer(chunk);
    let start = 0;
    for (;;) {
      const lf = bytes.indexOf(10, start);
      if (lf === -1) break;
      this.completeLine(bytes, start, lf);
      start = lf + 1;
    }
    if (start < bytes.length) this.keepPartial(bytes, start);
  }

  /** No more bytes: a last line without a final LF is still a line. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.parts.length === 0) return;
    const joined = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.partsBytes = 0;
    this.sink.onLine(joined, 0, joined.length, this.line);
  }

  private completeLine(bytes: Buffer, start: number, lf: number): void {
    const line = this.line++;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.partsBytes + (lf - start) > this.maxLineBytes) {
      this.dropParts();
      this.sink.onLineTooLong(line, this.maxLineBytes);
      return;
    }
    if (this.parts.length === 0) {
      this.sink.onLine(bytes, start, lf, line);
      return;
    }
    this.parts.push(bytes.subarray(start, lf));
    const joined = Buffer.concat(this.parts, this.partsBytes + (lf - start));
    this.dropParts();
    this.sink.onLine(joined, 0, joined.length, line);
  }

  private keepPartial(bytes: Buffer, start: number): void {
    if (this.skipping) return;
    const length = bytes.length - start;
    if (this.partsBytes + length > this.maxLineBytes) {
      this.dropParts();
      this.skipping = true;
      this.sink.onLineTooLong(this.line, this.maxLineBytes);
      return;
    }
    this.parts.push(Buffer.from(bytes.subarray(start)));
    this.partsBytes += length;
  }

  private dropParts(): void {
    this.parts = [];
    this.partsBytes = 0;
  }
}
