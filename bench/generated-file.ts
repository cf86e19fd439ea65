/** The benchmark's file: generated chunk by chunk, never held whole in memory. */
import { createHash } from 'node:crypto';

/**
 * The generated file, chunk by chunk, without holding it in memory: one random block, each chunk
 * a copy stamped with its index (so no two chunks have the same bytes).
 */
export class GeneratedFile {
  readonly chunkCount: number;
  private readonly block: Buffer;
  constructor(
    readonly size: number,
    readonly chunkSize: number,
  ) {
    this.chunkCount = Math.ceil(size / chunkSize);
    this.block = Buffer.alloc(chunkSize);
    for (let offset = 0; offset < chunkSize; offset += 65_536) {
      this.block.set(
        globalThis.crypto.getRandomValues(new Uint8Array(Math.min(65_536, chunkSize - offset))),
        offset,
      );
    }
  }

  chunk(index: number): Buffer {
    const length = Math.min(this.chunkSize, this.size - index * this.chunkSize);
    const bytes = Buffer.from(this.block.subarray(0, length));
    if (length >= 4) bytes.writeUInt32BE(index, 0);
    return bytes;
  }

  sha256(): string {
    const hash = createHash('sha256');
    for (let index = 0; index < this.chunkCount; index++) hash.update(this.chunk(index));
    return hash.digest('hex');
  }
}
