import type { RangedReader } from '../../analysis/types.js';
import type { ObjectStore } from '../ports.js';

/** Random access to a stored object through ranged GETs (S3 `Range`), for headers and footers. */
export function objectRangedReader(objects: ObjectStore, key: string, size: number): RangedReader {
  return {
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const end = Math.min(size, offset + length) - 1;
      if (offset < 0 || length <= 0 || offset > end) return new Uint8Array(0);
      const parts: Buffer[] = [];
      for await (const piece of await objects.getStream(key, { start: offset, end })) {
        parts.push(typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece as Uint8Array));
      }
      return Buffer.concat(parts);
    },
  };
}
