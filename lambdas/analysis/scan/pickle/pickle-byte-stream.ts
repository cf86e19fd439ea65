/**
 * Sequential, bounded reading of a pickle's bytes from any source of chunks (ranged reads of a
 * bare file, the inflating stream of a zip member). Only a small window is held: fixed-size
 * arguments and short strings are read from it, long strings and byte blobs (numpy buffers can
 * be hundreds of MiB inside a pickle) are skipped chunk by chunk without being kept.
 */
import { MalformedPickleError, PickleLimitError } from './pickle-errors.js';

/** A text argument (protocol 0) longer than this is not followed: CPython has no limit, we do. */
export const maxLineBytes = 64 * 1024;

export class PickleByteStream {
  private window: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Stream offset of `window[0]`. */
  private windowStart = 0;
  private exhausted = false;

  /**
   * @param chunks the bytes, in order.
   * @param cutShort why the source ends before the object does (a size limit), if it does: running
   *   out of bytes is then `PickleLimitError` with this reason, not truncation.
   */
  constructor(
    private readonly chunks: AsyncIterator<Uint8Array>,
    private readonly cutShort?: string,
  ) {}

  /** Offset of the next byte in the stream. */
  get offset(): number {
    return this.windowStart + this.at;
  }

  /** Bytes available without awaiting. */
  get buffered(): number {
    return this.window.length - this.at;
  }

  /** Makes at least `length` bytes available (fewer only at the end); false when fewer. */
  async fill(length: number): Promise<boolean> {
    while (this.buffered < length && !this.exhausted) {
      const next = await this.chunks.next();
      if (next.done) {
        this.exhausted = true;
        break;
      }
      if (next.value.length === 0) continue;
      const rest = this.window.subarray(this.at);
      const joined = new Uint8Array(rest.length + next.value.length);
      joined.set(rest, 0);
      joined.set(next.value, rest.length);
      this.windowStart += this.at;
      this.window = joined;
      this.at = 0;
    }
    return this.buffered >= length;
  }

  /** True when no byte follows. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Ran out of bytes while `what` needed `length` more. */
  private ranOut(what: string, length: number): Error {
    if (this.cutShort !== undefined) return new PickleLimitError(this.cutShort);
    return new MalformedPickleError(
      `the pickle is truncated: ${what} needs ${length} bytes at offset ${this.offset} but the stream ends`,
    );
  }

  /** Exactly `length` bytes (callers keep `length` small: it is held in memory). */
  async take(length: number, what: string): Promise<Uint8Array> {
    if (!(await this.fill(length))) throw this.ranOut(what, length);
    const bytes = this.window.subarray(this.at, this.at + length);
    this.at += length;
    return bytes;
  }

  /** Skips `length` bytes without keeping them. */
  async skip(length: number, what: string): Promise<void> {
    let left = length;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill(1))) throw this.ranOut(what, left);
      const step = Math.min(left, this.buffered);
      this.at += step;
      left -= step;
    }
  }

  /** The bytes up to the next `\n`, which is consumed and not returned. */
  async line(what: string): Promise<Uint8Array> {
    let searchFrom = this.at;
    for (;;) {
      const newline = this.window.indexOf(0x0a, searchFrom);
      if (newline >= 0) {
        const bytes = this.window.subarray(this.at, newline);
        this.at = newline + 1;
        return bytes;
      }
      if (this.buffered > maxLineBytes) {
        throw new PickleLimitError(
          `${what} at offset ${this.offset} is a text line longer than ${maxLineBytes} bytes`,
        );
      }
      searchFrom = this.window.length;
      const had = this.buffered;
      if (!(await this.fill(had + 1))) throw this.ranOut(`${what} (a line ending in \\n)`, 1);
      // `fill` may have moved the window: search only the bytes that arrived.
      searchFrom = this.at + had;
    }
  }

  /** Up to `length` upcoming bytes, not consumed. */
  async peek(length: number): Promise<Uint8Array> {
    await this.fill(length);
    return this.window.subarray(this.at, this.at + length);
  }

  /** The next byte; call only after `fill` reported enough bytes. */
  u8Now(): number {
    return this.window[this.at++] as number;
  }
}
