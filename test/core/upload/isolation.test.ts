/**
 * Per-owner isolation in the core: another owner's upload id is answered exactly like an unknown
 * id on every endpoint, and nothing about the upload changes.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { completeUpload } from '../../../lambdas/core/complete-upload.js';
import { UploadNotFoundError } from '../../../lambdas/core/errors.js';
import { getStatus } from '../../../lambdas/core/get-status.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { patternBytes } from '../../support/bytes.js';
import { createCoreDeps } from '../../support/core-deps.js';

type Deps = ReturnType<typeof createCoreDeps>;

async function alicesUpload(deps: Deps) {
  const file = patternBytes(2500, 7);
  const { uploadId, totalChunks } = await initUpload(deps, {
    filename: 'alice.jsonl',
    totalSize: file.length,
    owner: 'alice',
  });
  const chunk = (index: number) => file.subarray(index * 1024, Math.min(file.length, (index + 1) * 1024));
  await putChunk(deps, { owner: 'alice', uploadId, chunkIndex: 0, totalChunks, bytes: chunk(0) });
  return { uploadId, totalChunks, chunk };
}

/** Everything stored about an upload: the session, its chunk records and its objects. */
async function snapshot(deps: Deps, uploadId: string) {
  return {
    session: await deps.sessions.get(uploadId),
    chunks: await deps.sessions.listChunks(uploadId),
    objects: await Promise.all(
      [0, 1, 2].map((index) => deps.objects.getBytes(`uploads/${uploadId}/${index}.chunk`)),
    ),
    ledger: await deps.openUploads.read('alice'),
  };
}

/** The error an id answers with, as `{name, message, details}` (what the edge turns into the body). */
async function refusal(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UploadNotFoundError);
  const { name, message, details, statusCode, code } = error as UploadNotFoundError;
  return { name, message, details, statusCode, code };
}

const endpoints = {
  status: (deps: Deps, uploadId: string, owner: string) => getStatus(deps, uploadId, owner),
  chunk: (deps: Deps, uploadId: string, owner: string, bytes: Uint8Array = patternBytes(1024, 1)) =>
    putChunk(deps, { owner, uploadId, chunkIndex: 1, totalChunks: 3, bytes }),
  complete: (deps: Deps, uploadId: string, owner: string) => completeUpload(deps, uploadId, owner),
  abort: (deps: Deps, uploadId: string, owner: string) => abortUpload(deps, uploadId, owner),
};

describe('isolation between owners', () => {
  it.each(Object.keys(endpoints) as (keyof typeof endpoints)[])(
    "%s: bob gets alice's upload answered as unknown (404), and nothing about it changes",
    async (name) => {
      const deps = createCoreDeps();
      const { uploadId, chunk } = await alicesUpload(deps);
      const before = await snapshot(deps, uploadId);
      const unknownDeps = createCoreDeps();

      const asBob = await refusal(endpoints[name](deps, uploadId, 'bob', chunk(1)));
      const unknown = await refusal(endpoints[name](unknownDeps, uploadId, 'bob', chunk(1)));

      expect(asBob).toEqual(unknown);
      expect(asBob.statusCode).toBe(404);
      expect(await snapshot(deps, uploadId)).toEqual(before);
      expect(deps.workflow.starts).toEqual([]);
    },
  );

  it("does not expire alice's upload for bob's request past its expiry (bob learns nothing, changes nothing)", async () => {
    const deps = createCoreDeps();
    const { uploadId, chunk } = await alicesUpload(deps);
    deps.clock.advance(deps.config.sessionTtlMs + 1);

    await refusal(endpoints.chunk(deps, uploadId, 'bob', chunk(1)));

    expect((await deps.sessions.get(uploadId))?.state).toBe('uploading');
  });

  it('lets alice complete her upload after bob tried every endpoint on it', async () => {
    const deps = createCoreDeps();
    const { uploadId, totalChunks, chunk } = await alicesUpload(deps);
    for (const call of Object.values(endpoints)) await refusal(call(deps, uploadId, 'bob', chunk(1)));

    for (const index of [1, 2]) {
      await putChunk(deps, { owner: 'alice', uploadId, chunkIndex: index, totalChunks, bytes: chunk(index) });
    }
    const outcome = await completeUpload(deps, uploadId, 'alice');

    expect(outcome.statusCode).toBe(202);
    expect(deps.workflow.starts).toEqual([uploadId]);
    expect((await getStatus(deps, uploadId, 'alice')).receivedChunks).toEqual([0, 1, 2]);
  });

  it('answers an unknown id the same way whoever asks', async () => {
    const deps = createCoreDeps();
    const id = randomUUID();

    expect(await refusal(getStatus(deps, id, 'alice'))).toEqual(await refusal(getStatus(deps, id, 'bob')));
  });
});
