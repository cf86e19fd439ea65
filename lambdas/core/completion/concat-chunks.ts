/**
 * One part's body: its consecutive chunk objects streamed one after another. Only one chunk
 * stream is open at a time and `Readable.from` pulls from the generator only when the consumer
 * reads, so memory stays bounded by the stream buffers, never a whole part.
 */
import { Readable } from 'node:stream';
import { keys } from '../keys.js';
import type { ObjectStore } from '../ports.js';
import type { PartRange } from './part-plan.js';

async function* chunkBytes(
  objects: ObjectStore,
  uploadId: string,
  part: PartRange,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for (let index = part.firstChunk; index < part.endChunk; index++) {
    const stream = await objects.getStream(keys.chunk(uploadId, index));
    for await (const piece of stream) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : (piece as Uint8Array);
      sent += bytes.length;
      yield bytes;
    }
  }
  // The part was announced with this length; a short or long chunk object must fail the part,
  // not produce a file with shifted bytes.
  if (sent !== part.size) {
    throw new Error(
      `Part ${part.partNumber} of upload ${uploadId} read ${sent} bytes from chunks ${part.firstChunk}..${part.endChunk - 1}, expected ${part.size}`,
    );
  }
}

/** A stream of part `part`'s bytes, read chunk by chunk from the object store. */
export const partBody = (objects: ObjectStore, uploadId: string, part: PartRange): Readable =>
  Readable.from(chunkBytes(objects, uploadId, part), { objectMode: false });
