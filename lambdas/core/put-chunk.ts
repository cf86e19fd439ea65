/**
 * Storing one chunk. The protocol rules, enforced here:
 * - a chunk index is recorded once: the first request to claim it in DynamoDB (conditional
 *   write) owns it, and only requests with the same sha256 ever write its S3 object, so racing
 *   requests with different bytes can never change a stored chunk;
 * - identical bytes re-sent are a no-op answered 200 and counted once;
 * - a claim whose S3 write never happened (a crash between the two) stays `pending`, and the
 *   next request with the same bytes finishes it.
 */
import { createHash } from 'node:crypto';
import {
  ChunkConflictError,
  PayloadTooLargeError,
  UploadStateConflictError,
  ValidationError,
} from './errors.js';
import { keys } from './keys.js';
import type { UploadSession } from './model.js';
import { loadLiveSession } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

export interface PutChunkInput {
  /** The caller: another owner's upload id is answered like an unknown one (404). */
  owner: string;
  uploadId: string;
  chunkIndex: number;
  totalChunks: number;
  bytes: Uint8Array;
}

export interface PutChunkResult {
  receivedChunks: number;
  chunkIndex: number;
  /** True when these exact bytes were already stored: nothing was written. */
  duplicate: boolean;
}

/** The exact size chunk `index` must have: `chunkSize`, except the last, which holds the rest. */
export function expectedChunkSize(
  session: Pick<UploadSession, 'totalSize' | 'chunkSize' | 'totalChunks'>,
  index: number,
) {
  return index === session.totalChunks - 1
    ? session.totalSize - index * session.chunkSize
    : session.chunkSize;
}

function checkChunk(session: UploadSession, input: PutChunkInput): void {
  if (session.state !== 'uploading') {
    throw new UploadStateConflictError(
      `Upload ${session.uploadId} is ${session.state}; it takes no more chunks. Check GET /api/upload/status/${session.uploadId}.`,
      { uploadId: session.uploadId, state: session.state },
    );
  }
  if (input.totalChunks !== session.totalChunks) {
    throw new ValidationError(
      `totalChunks is ${input.totalChunks} but this upload has ${session.totalChunks} chunks (ceil(totalSize ${session.totalSize} / chunkSize ${session.chunkSize})).`,
      { field: 'totalChunks', expected: session.totalChunks },
    );
  }
  if (input.chunkIndex >= session.totalChunks) {
    throw new ValidationError(
      `chunkIndex ${input.chunkIndex} is out of range: this upload has chunks 0 to ${session.totalChunks - 1}.`,
      { field: 'chunkIndex', maxChunkIndex: session.totalChunks - 1 },
    );
  }
  const expected = expectedChunkSize(session, input.chunkIndex);
  if (input.bytes.length > session.chunkSize) {
    throw new PayloadTooLargeError(
      `Chunk ${input.chunkIndex} is ${input.bytes.length} bytes, more than the chunk size of ${session.chunkSize} bytes.`,
      { field: 'chunk', expectedSize: expected, limit: 'CHUNK_SIZE' },
    );
  }
  if (input.bytes.length !== expected) {
    throw new ValidationError(
      `Chunk ${input.chunkIndex} must be exactly ${expected} bytes but is ${input.bytes.length} bytes (every chunk is chunkSize bytes except the last, which holds the rest).`,
      { field: 'chunk', expectedSize: expected },
    );
  }
}

export async function putChunk(deps: UploadDeps, input: PutChunkInput): Promise<PutChunkResult> {
  const session = await loadLiveSession(deps, input.uploadId, input.owner);
  checkChunk(session, input);

  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const claim = await deps.sessions.claimChunk(input.uploadId, {
    index: input.chunkIndex,
    size: input.bytes.length,
    sha256,
    status: 'pending',
    receivedAt: deps.clock.now(),
  });
  if (!claim.claimed) {
    if (claim.existing.sha256 !== sha256) {
      throw new ChunkConflictError(
        `Chunk ${input.chunkIndex} is already stored with different bytes (sha256 ${claim.existing.sha256}, this request's is ${sha256}). The stored chunk was kept; re-send the original bytes, or abort and start a new upload.`,
        { chunkIndex: input.chunkIndex, storedSha256: claim.existing.sha256, sentSha256: sha256 },
      );
    }
    if (claim.existing.status === 'stored') {
      return { receivedChunks: session.receivedCount, chunkIndex: input.chunkIndex, duplicate: true };
    }
    // Same bytes, still pending: the first request is in flight or died before its S3 write.
    // Writing the same bytes again is harmless, and marking stored is counted once.
  }
  await deps.objects.put(keys.chunk(input.uploadId, input.chunkIndex), input.bytes);
  const receivedChunks = await deps.sessions.markChunkStored(input.uploadId, input.chunkIndex, sha256);
  return { receivedChunks, chunkIndex: input.chunkIndex, duplicate: !claim.claimed };
}
