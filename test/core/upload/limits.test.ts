/** The per-owner and per-upload limits of the core: open uploads (429) and chunk count (413). */
import { describe, expect, it } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { completeUpload } from '../../../lambdas/core/complete-upload.js';
import {
  ConditionFailedError,
  PayloadTooLargeError,
  TooManyRequestsError,
} from '../../../lambdas/core/errors.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { createCoreDeps } from '../../support/core-deps.js';

const start = (deps: ReturnType<typeof createCoreDeps>, owner = 'alice', totalSize = 10) =>
  initUpload(deps, { filename: 'a.bin', totalSize, owner });

describe('MAX_CHUNK_COUNT', () => {
  it('refuses an upload of more chunks than the limit with 413 naming the limit and its value', async () => {
    const deps = createCoreDeps({ maxChunkCount: 4 });

    const attempt = start(deps, 'alice', 4 * 1024 + 1);

    await expect(attempt).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(attempt).rejects.toThrow(
      /makes 5 chunks, more than the maximum of 4 chunks per upload \(MAX_CHUNK_COUNT\)/,
    );
    await expect(attempt).rejects.toMatchObject({ details: { limit: 'MAX_CHUNK_COUNT', maxChunkCount: 4 } });
  });

  it('accepts exactly the limit', async () => {
    const deps = createCoreDeps({ maxChunkCount: 4 });

    await expect(start(deps, 'alice', 4 * 1024)).resolves.toMatchObject({ totalChunks: 4 });
  });
});

describe('MAX_OPEN_UPLOADS_PER_OWNER', () => {
  it('refuses the owner one more open upload with 429 naming the limit and its value, others not', async () => {
    const deps = createCoreDeps({ maxOpenUploadsPerOwner: 2 });
    await start(deps);
    await start(deps);

    const attempt = start(deps);

    await expect(attempt).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(attempt).rejects.toThrow(/at most 2 may be open at once \(MAX_OPEN_UPLOADS_PER_OWNER\)/);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 429,
      details: { limit: 'MAX_OPEN_UPLOADS_PER_OWNER', maxOpenUploadsPerOwner: 2 },
    });
    await expect(start(deps, 'bob')).resolves.toMatchObject({ state: 'uploading' });
  });

  it('gives the slot back on abort, on complete and on expiry', async () => {
    const deps = createCoreDeps({ maxOpenUploadsPerOwner: 1 });
    const aborted = await start(deps);
    await abortUpload(deps, aborted.uploadId, 'alice');
    const completed = await start(deps);
    await putChunk(deps, {
      owner: 'alice',
      uploadId: completed.uploadId,
      chunkIndex: 0,
      totalChunks: 1,
      bytes: new Uint8Array(10),
    });
    await completeUpload(deps, completed.uploadId, 'alice');
    await start(deps);
    deps.clock.advance(deps.config.sessionTtlMs);

    await expect(start(deps)).resolves.toMatchObject({ state: 'uploading' });
  });

  it('drops an entry whose release was lost once the owner is at the limit', async () => {
    const deps = createCoreDeps({ maxOpenUploadsPerOwner: 1 });
    const first = await start(deps);
    // A crash between the session's transition and the release: the entry stays behind.
    await deps.sessions.transition(first.uploadId, { from: ['uploading'], to: 'aborted' });

    await expect(start(deps)).resolves.toMatchObject({ state: 'uploading' });
    expect((await deps.openUploads.read('alice')).entries).toHaveLength(1);
  });

  it('lets exactly the limit through when inits race', async () => {
    const deps = createCoreDeps({ maxOpenUploadsPerOwner: 3 });

    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => start(deps)));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    expect((await deps.openUploads.read('alice')).entries).toHaveLength(3);
  });

  it('decides again when a concurrent init wrote first', async () => {
    const deps = createCoreDeps({ maxOpenUploadsPerOwner: 5 });
    const reserve = deps.openUploads.reserve.bind(deps.openUploads);
    let lost = 0;
    deps.openUploads.reserve = async (...args) => {
      if (lost++ === 0) throw new ConditionFailedError('a concurrent init wrote first');
      return reserve(...args);
    };

    await expect(start(deps)).resolves.toMatchObject({ state: 'uploading' });
    expect(lost).toBe(2);
  });
});
