import { describe, expect, it } from 'vitest';
import {
  ChunkConflictError,
  PayloadTooLargeError,
  UploadGoneError,
  UploadNotFoundError,
  UploadStateConflictError,
  ValidationError,
} from '../../../lambdas/core/errors.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { keys } from '../../../lambdas/core/keys.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { digestOf, patternBytes } from '../../support/bytes.js';
import { createCoreDeps } from '../../support/core-deps.js';

async function started(totalSize = 2500) {
  const deps = createCoreDeps();
  const { uploadId, totalChunks } = await initUpload(deps, {
    filename: 'train.jsonl',
    totalSize,
    owner: 'local',
  });
  const file = patternBytes(totalSize);
  const chunk = (index: number) => file.slice(index * 1024, Math.min(totalSize, (index + 1) * 1024));
  return { deps, uploadId, totalChunks, file, chunk };
}

describe('putChunk', () => {
  it('stores a chunk at uploads/{uploadId}/{index}.chunk and counts it', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();

    const result = await putChunk(deps, {
      owner: 'local',
      uploadId,
      chunkIndex: 1,
      totalChunks,
      bytes: chunk(1),
    });

    expect(result).toEqual({ receivedChunks: 1, chunkIndex: 1, duplicate: false });
    expect(digestOf(await deps.objects.getBytes(keys.chunk(uploadId, 1)))).toBe(digestOf(chunk(1)));
  });

  it('answers a re-sent identical chunk as a duplicate and counts it once', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    await putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) });

    const again = await putChunk(deps, {
      owner: 'local',
      uploadId,
      chunkIndex: 0,
      totalChunks,
      bytes: chunk(0),
    });

    expect(again).toEqual({ receivedChunks: 1, chunkIndex: 0, duplicate: true });
    expect((await deps.sessions.get(uploadId))?.receivedCount).toBe(1);
  });

  it('refuses different bytes for a stored index with 409 and keeps the stored chunk', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    await putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) });

    const other = patternBytes(1024, 99);
    await expect(
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: other }),
    ).rejects.toBeInstanceOf(ChunkConflictError);

    expect(digestOf(await deps.objects.getBytes(keys.chunk(uploadId, 0)))).toBe(digestOf(chunk(0)));
  });

  it('lets exactly one of two racing different chunks for one index win, and stores the winner', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    const other = patternBytes(1024, 7);

    const results = await Promise.allSettled([
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) }),
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: other }),
    ]);

    const won = results.findIndex((r) => r.status === 'fulfilled');
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(digestOf(await deps.objects.getBytes(keys.chunk(uploadId, 0)))).toBe(
      digestOf(won === 0 ? chunk(0) : other),
    );
  });

  it('finishes a claim left pending by a crash when the same bytes are re-sent', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    const { createHash } = await import('node:crypto');
    await deps.sessions.claimChunk(uploadId, {
      index: 2,
      size: chunk(2).length,
      sha256: createHash('sha256').update(chunk(2)).digest('hex'),
      status: 'pending',
      receivedAt: deps.clock.now(),
    });

    const result = await putChunk(deps, {
      owner: 'local',
      uploadId,
      chunkIndex: 2,
      totalChunks,
      bytes: chunk(2),
    });

    expect(result.receivedChunks).toBe(1);
    expect(digestOf(await deps.objects.getBytes(keys.chunk(uploadId, 2)))).toBe(digestOf(chunk(2)));
  });

  it.each([
    ['an index past the last chunk', { chunkIndex: 3 }, ValidationError, /out of range/],
    ['a wrong totalChunks', { totalChunks: 4 }, ValidationError, /totalChunks is 4 but this upload has 3/],
    [
      'a short middle chunk',
      { bytes: new Uint8Array(1000) },
      ValidationError,
      /exactly 1024 bytes but is 1000/,
    ],
    [
      'a chunk larger than chunkSize',
      { bytes: new Uint8Array(1025) },
      PayloadTooLargeError,
      /more than the chunk size/,
    ],
  ])('refuses %s', async (_name, change, errorType, message) => {
    const { deps, uploadId, totalChunks, chunk } = await started();

    const attempt = putChunk(deps, {
      owner: 'local',
      uploadId,
      chunkIndex: 1,
      totalChunks,
      bytes: chunk(1),
      ...change,
    });

    await expect(attempt).rejects.toBeInstanceOf(errorType);
    await expect(attempt).rejects.toThrow(message);
    expect(await deps.sessions.listChunks(uploadId)).toEqual([]);
  });

  it('requires the last chunk to hold exactly the remaining bytes', async () => {
    const { deps, uploadId, totalChunks } = await started(2500);

    await expect(
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 2, totalChunks, bytes: new Uint8Array(1024) }),
    ).rejects.toThrow(/Chunk 2 must be exactly 452 bytes/);
  });

  it('answers 404 for an unknown or malformed upload id', async () => {
    const { deps, totalChunks, chunk } = await started();

    for (const uploadId of ['6d1c9a5e-0000-4000-8000-000000000000', '../etc/passwd']) {
      await expect(
        putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) }),
      ).rejects.toBeInstanceOf(UploadNotFoundError);
    }
  });

  it('answers 410 after the session lifetime and marks the session expired', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    deps.clock.advance(deps.config.sessionTtlMs + 1);

    await expect(
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) }),
    ).rejects.toBeInstanceOf(UploadGoneError);

    expect((await deps.sessions.get(uploadId))?.state).toBe('expired');
  });

  it('answers 409 for a chunk of an upload that is processing, and stores nothing', async () => {
    const { deps, uploadId, totalChunks, chunk } = await started();
    await deps.sessions.transition(uploadId, { from: ['uploading'], to: 'processing' });

    await expect(
      putChunk(deps, { owner: 'local', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) }),
    ).rejects.toBeInstanceOf(UploadStateConflictError);
    expect(await deps.objects.getBytes(keys.chunk(uploadId, 0))).toBeUndefined();
  });
});
