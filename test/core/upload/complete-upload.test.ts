import { describe, expect, it } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { completeUpload } from '../../../lambdas/core/complete-upload.js';
import {
  MissingChunksError,
  UploadGoneError,
  UploadStateConflictError,
} from '../../../lambdas/core/errors.js';
import { getStatus } from '../../../lambdas/core/get-status.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { keys } from '../../../lambdas/core/keys.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { patternBytes } from '../../support/bytes.js';
import { completedResult, createCoreDeps } from '../../support/core-deps.js';

async function uploaded(totalSize: number, send: (index: number) => boolean = () => true) {
  const deps = createCoreDeps({ completeWaitMs: 5000 });
  const { uploadId, totalChunks } = await initUpload(deps, {
    filename: 'data.csv',
    totalSize,
    owner: 'local',
  });
  const file = patternBytes(totalSize);
  for (let index = 0; index < totalChunks; index++) {
    if (!send(index)) continue;
    const bytes = file.slice(index * 1024, Math.min(totalSize, (index + 1) * 1024));
    await putChunk(deps, { owner: 'local', uploadId, chunkIndex: index, totalChunks, bytes });
  }
  return { deps, uploadId, totalChunks };
}

describe('completeUpload', () => {
  it('answers 400 naming the missing chunks, the first twenty and a count', async () => {
    const { deps, uploadId } = await uploaded(30 * 1024, (index) => index % 2 === 0);

    const attempt = completeUpload(deps, uploadId, 'local');

    await expect(attempt).rejects.toBeInstanceOf(MissingChunksError);
    await expect(attempt).rejects.toThrow(
      '15 of 30 chunks are missing (1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29)',
    );
    expect((await deps.sessions.get(uploadId))?.state).toBe('uploading');
    expect(deps.workflow.starts).toEqual([]);
  });

  it('says how many more are missing beyond the first twenty', async () => {
    const { deps, uploadId } = await uploaded(50 * 1024, (index) => index === 0);

    await expect(completeUpload(deps, uploadId, 'local')).rejects.toThrow(/\(1, 2, .*, 20 and 29 more\)/);
  });

  it('starts the workflow once and answers its result when it finishes within the wait', async () => {
    const { deps, uploadId } = await uploaded(3000);
    deps.workflow.onStart = async (id) => {
      await deps.sessions.transition(id, {
        from: ['processing'],
        to: 'completed',
        set: { result: completedResult(id) },
      });
    };

    const outcome = await completeUpload(deps, uploadId, 'local');

    expect(outcome).toEqual(completedResult(uploadId));
    expect(deps.workflow.starts).toEqual([uploadId]);
  });

  it('answers 202 processing when the workflow is still running after the wait', async () => {
    const { deps, uploadId } = await uploaded(3000);

    const outcome = await completeUpload(deps, uploadId, 'local');

    expect(outcome.statusCode).toBe(202);
    expect(outcome.body).toMatchObject({ state: 'processing', uploadId });
    expect((await deps.sessions.get(uploadId))?.executionId).toBe(`execution:${uploadId}`);
  });

  it('runs the workflow exactly once when ten completes race', async () => {
    const { deps, uploadId } = await uploaded(3000);

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => completeUpload(deps, uploadId, 'local')),
    );

    expect(outcomes.every((o) => o.statusCode === 202)).toBe(true);
    expect(new Set(deps.workflow.starts)).toEqual(new Set([uploadId]));
  });

  it('returns the same final outcome when called again and starts nothing new', async () => {
    const { deps, uploadId } = await uploaded(3000);
    await completeUpload(deps, uploadId, 'local');
    await deps.sessions.transition(uploadId, {
      from: ['processing'],
      to: 'completed',
      set: { result: completedResult(uploadId) },
    });

    const again = await completeUpload(deps, uploadId, 'local');

    expect(again).toEqual(completedResult(uploadId));
    expect(deps.workflow.starts).toHaveLength(1);
  });

  it('starts the workflow again when a crash left the session processing without an execution', async () => {
    const { deps, uploadId } = await uploaded(3000);
    await deps.sessions.transition(uploadId, { from: ['uploading'], to: 'processing' });

    const outcome = await completeUpload(deps, uploadId, 'local');

    expect(outcome.statusCode).toBe(202);
    expect(deps.workflow.starts).toEqual([uploadId]);
  });

  it('answers 410 for an expired upload and starts nothing', async () => {
    const { deps, uploadId } = await uploaded(3000);
    deps.clock.advance(deps.config.sessionTtlMs);

    await expect(completeUpload(deps, uploadId, 'local')).rejects.toBeInstanceOf(UploadGoneError);
    expect(deps.workflow.starts).toEqual([]);
  });
});

describe('abortUpload', () => {
  it('deletes the chunks, and every later call answers 410', async () => {
    const { deps, uploadId } = await uploaded(3000);

    const result = await abortUpload(deps, uploadId, 'local');

    expect(result).toMatchObject({ state: 'aborted', deletedChunks: 3 });
    expect(await deps.objects.getBytes(keys.chunk(uploadId, 0))).toBeUndefined();
    await expect(getStatus(deps, uploadId, 'local')).rejects.toBeInstanceOf(UploadGoneError);
    await expect(completeUpload(deps, uploadId, 'local')).rejects.toBeInstanceOf(UploadGoneError);
    await expect(abortUpload(deps, uploadId, 'local')).rejects.toBeInstanceOf(UploadGoneError);
  });

  it('refuses with 409 once the upload is processing', async () => {
    const { deps, uploadId } = await uploaded(3000);
    await completeUpload(deps, uploadId, 'local');

    await expect(abortUpload(deps, uploadId, 'local')).rejects.toBeInstanceOf(UploadStateConflictError);
    expect(await deps.objects.getBytes(keys.chunk(uploadId, 0))).toBeDefined();
  });
});

describe('getStatus', () => {
  it('lists exactly the stored indices, ascending', async () => {
    const { deps, uploadId } = await uploaded(10 * 1024, (index) => [7, 2, 5].includes(index));

    const status = await getStatus(deps, uploadId, 'local');

    expect(status).toMatchObject({
      uploadId,
      totalChunks: 10,
      receivedChunks: [2, 5, 7],
      isComplete: false,
      state: 'uploading',
    });
  });

  it('carries the result once the upload is final', async () => {
    const { deps, uploadId } = await uploaded(3000);
    await deps.sessions.transition(uploadId, {
      from: ['uploading'],
      to: 'completed',
      set: { result: completedResult(uploadId) },
    });

    const status = await getStatus(deps, uploadId, 'local');

    expect(status).toMatchObject({ state: 'completed', isComplete: true, receivedChunks: [0, 1, 2] });
    expect(status.result).toEqual(completedResult(uploadId).body);
  });
});

describe('completeUpload when the execution ended without an outcome', () => {
  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)(
    'records the upload failed when the execution is %s and answers 500 from then on',
    async (status) => {
      const { deps, uploadId } = await uploaded(3000);
      await completeUpload(deps, uploadId, 'local');
      deps.workflow.executionStatus = status;

      const outcome = await completeUpload(deps, uploadId, 'local');
      const again = await completeUpload(deps, uploadId, 'local');

      expect(outcome.statusCode).toBe(500);
      expect(outcome.body).toMatchObject({ state: 'failed', code: 'WORKFLOW_FAILED' });
      expect(String(outcome.body.message)).toContain(status);
      expect(again).toEqual(outcome);
      expect((await deps.sessions.get(uploadId))?.state).toBe('failed');
      expect(deps.workflow.starts).toEqual([uploadId]);
    },
  );

  it('keeps answering 202 while the execution runs', async () => {
    const { deps, uploadId } = await uploaded(3000);
    deps.workflow.executionStatus = 'RUNNING';

    const outcome = await completeUpload(deps, uploadId, 'local');

    expect(outcome.statusCode).toBe(202);
    expect((await deps.sessions.get(uploadId))?.state).toBe('processing');
  });
});
