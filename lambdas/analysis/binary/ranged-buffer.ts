/**
 * Bounded random access for the binary describers. Every format here is described from its
 * headers, footers and directories, never from its whole body, and every byte goes through one
 * `BudgetedReader` that:
 *   - serves ranges inside the first bytes (`head`, already in memory) without a read;
 *   - counts the bytes it asks the `RangedReader` for, and refuses to pass the budget (each read
 *     is an S3 `GET` with `Range` in the workflow: the budget bounds both time and memory);
 *   - turns a range past the end of the object into `TruncatedFileError`.
 * `ByteCursor` reads a structure front to back (GGUF metadata, protobuf, tar headers) through a
 * read-ahead window that grows while reads stay sequential and restarts small after a jump, so
 * skipping a tensor blob or a tar member costs nothing and walking many small records costs few
 * requests.
 */
import type { AsyncBuffer } from 'hyparquet';
import type { RangedReader } from '../types.js';
import {
  MalformedStructureError,
  ReadBudgetExceededError,
  SourceReadError,
  TruncatedFileError,
} from './binary-errors.js';

/** Ranged reads allowed per file for headers, footers and directories. */
export const defaultReadBudgetBytes = 64 * 1024 * 1024;

export class BudgetedReader {
  /** Bytes requested from the underlying reader (reads served from `head` are free). */
  bytesRead = 0;

  constructor(
    private readonly source: RangedReader,
    private readonly head: Uint8Array,
    readonly budgetBytes: number,
  ) {}

  get size(): number {
    return this.source.size;
  }

  /** Exactly `length` bytes at `offset`; `TruncatedFileError` when the object is shorter. */
  async readExact(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new TruncatedFileError(
        `${what} lies at an impossible position (offset ${offset}, length ${length})`,
      );
    }
    if (offset + length > this.size) {
      throw new TruncatedFileError(
        `${what} needs bytes ${offset}..${offset + length} but the file has only ${this.size} bytes`,
      );
    }
    return this.readUpTo(offset, length);
  }

  /** Up to `length` bytes at `offset`, fewer only at the end of the object. */
  async readUpTo(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    if (end <= this.head.length) return this.head.subarray(offset, end);
    const wanted = end - offset;
    if (this.bytesRead + wanted > this.budgetBytes) {
      throw new ReadBudgetExceededError(
        `reading ${wanted} more bytes would pass the ${this.budgetBytes}-byte read budget (${this.bytesRead} read so far)`,
      );
    }
    this.bytesRead += wanted;
    const out = new Uint8Array(wanted);
    let filled = 0;
    // `RangedReader.read` may return fewer bytes than asked (a short S3 body): keep asking.
    while (filled < wanted) {
      let chunk: Uint8Array;
      try {
        chunk = await this.source.read(offset + filled, wanted - filled);
      } catch (error) {
        throw new SourceReadError(error);
      }
      if (chunk.length === 0) break;
      out.set(chunk.subarray(0, wanted - filled), filled);
      filled += chunk.length;
    }
    return filled === wanted ? out : out.subarray(0, filled);
  }

  /** hyparquet's file abstraction over this reader (`slice` end is exclusive). */
  asAsyncBuffer(): AsyncBuffer {
    return {
      byteLength: this.size,
      slice: async (start: number, end?: number) => {
        const bytes = await this.readUpTo(start, (end ?? this.size) - start);
        // A copy of exactly these bytes: `bytes` may be a view into a larger buffer (a Node
        // `Buffer`, whose `slice` does not copy), and hyparquet reads the whole ArrayBuffer.
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        return copy.buffer;
      },
    };
  }
}

/** Small after a jump: a skipped blob is usually followed by one small record (a tar header, a tensor's dims). */
const initialWindowBytes = 4 * 1024;
const maxWindowBytes = 4 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8');

/** Reads a structure sequentially from `position` up to `end` (exclusive). */
export class ByteCursor {
  private window = new Uint8Array(0);
  private windowStart = 0;
  private nextWindowBytes = initialWindowBytes;
  private view = new DataView(this.window.buffer);

  constructor(
    private readonly reader: BudgetedReader,
    public position = 0,
    readonly end = reader.size,
    public littleEndian = true,
  ) {}

  get remaining(): number {
    return this.end - this.position;
  }

  /** Moves to `offset` without reading; the next read fetches from there. */
  seek(offset: number): void {
    this.position = offset;
  }

  /** Skips `length` bytes without reading them. */
  skip(length: number, what: string): void {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.remaining)
      throw this.pastEnd(length, what);
    this.position += length;
  }

  /** Past the end of the file is truncation; past the end of an enclosing structure is corruption. */
  private pastEnd(length: number, what: string): Error {
    const message = `${what} (${length} bytes at offset ${this.position}) runs past the end at byte ${this.end}`;
    return this.end === this.reader.size
      ? new TruncatedFileError(message)
      : new MalformedStructureError(message);
  }

  /** Makes `[position, position + length)` available in the window and returns its start in it. */
  private async ensure(length: number, what: string): Promise<number> {
    if (!Number.isSafeInteger(length) || length < 0 || length > this.remaining)
      throw this.pastEnd(length, what);
    const start = this.position - this.windowStart;
    if (start >= 0 && start + length <= this.window.length) return start;
    // Sequential access (continuing in or just past the window: a string skipped across its
    // end counts) earns a larger window; a longer jump starts small again, so skipping a blob
    // does not read ahead into it.
    const sequential =
      this.window.length > 0 && start >= 0 && start <= this.window.length + this.nextWindowBytes;
    this.nextWindowBytes = sequential
      ? Math.min(this.nextWindowBytes * 2, maxWindowBytes)
      : initialWindowBytes;
    const size = Math.min(Math.max(length, this.nextWindowBytes), this.end - this.position);
    // Keep the unread tail of the window when continuing, so a value straddling two windows is whole.
    const keep = start >= 0 && start < this.window.length ? this.window.subarray(start) : new Uint8Array(0);
    const fresh = await this.reader.readExact(this.position + keep.length, size - keep.length, what);
    const joined = new Uint8Array(keep.length + fresh.length);
    joined.set(keep, 0);
    joined.set(fresh, keep.length);
    this.window = joined;
    this.windowStart = this.position;
    this.view = new DataView(joined.buffer, joined.byteOffset, joined.byteLength);
    return 0;
  }

  async bytes(length: number, what: string): Promise<Uint8Array> {
    const at = await this.ensure(length, what);
    this.position += length;
    return this.window.subarray(at, at + length);
  }

  async string(length: number, what: string): Promise<string> {
    return utf8.decode(await this.bytes(length, what));
  }

  async u8(what: string): Promise<number> {
    const at = await this.ensure(1, what);
    this.position += 1;
    return this.view.getUint8(at);
  }

  async u16(what: string): Promise<number> {
    const at = await this.ensure(2, what);
    this.position += 2;
    return this.view.getUint16(at, this.littleEndian);
  }

  async u32(what: string): Promise<number> {
    const at = await this.ensure(4, what);
    this.position += 4;
    return this.view.getUint32(at, this.littleEndian);
  }

  async i32(what: string): Promise<number> {
    const at = await this.ensure(4, what);
    this.position += 4;
    return this.view.getInt32(at, this.littleEndian);
  }

  async f32(what: string): Promise<number> {
    const at = await this.ensure(4, what);
    this.position += 4;
    return this.view.getFloat32(at, this.littleEndian);
  }

  async f64(what: string): Promise<number> {
    const at = await this.ensure(8, what);
    this.position += 8;
    return this.view.getFloat64(at, this.littleEndian);
  }

  async u64(what: string): Promise<bigint> {
    const at = await this.ensure(8, what);
    this.position += 8;
    return this.view.getBigUint64(at, this.littleEndian);
  }

  async i64(what: string): Promise<bigint> {
    const at = await this.ensure(8, what);
    this.position += 8;
    return this.view.getBigInt64(at, this.littleEndian);
  }

  /** A protobuf base-128 varint as a number (exact below 2^53, which covers lengths and versions). */
  async varint(what: string): Promise<number> {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = await this.u8(what);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new MalformedStructureError(
      `${what}: the varint at offset ${this.position - 10} is longer than 10 bytes`,
    );
  }
}
