/**
 * `status` on a `processing` upload whose execution ended without recording an outcome: it records
 * the same `failed` outcome `complete` records (one shared function, `reconcile-execution.ts`), with
 * a conditional write that an outcome landing first wins, and publishes `Upload Failed`.
 */
import { describe, expect, it } from 'vitest';
import { completeUpload } from '../../../lambdas/core/complete-upload.js';
import { recordFailure } from '../../../lambdas/core/completion/record-failure.js';
import { getStatus, statusExecutionCheckAfterMs } from '../../../lambdas/core/get-status.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import { putChunk } from '../../../lambdas/core/put-chunk.js';
import { createLogger } from '../../../lambdas/runtime/logger.js';
import { patternBytes } from '../../support/bytes.js';
import { completedResult, createCoreDeps } from '../../support/core-deps.js';
import { RecordingEventPublisher } from '../../support/downstream-doubles.js';

const quiet = createLogger({}, 'error', () => {});

/** An upload that `complete` accepted (202, execution running), processing for `ageMs`. */
async function processingUpload(ageMs = statusExecutionCheckAfterMs) {
  const events = new RecordingEventPublisher();
  const deps = { ...createCoreDeps(), events, logger: quiet };
  const { uploadId, totalChunks } = await initUpload(deps, {
    filename: 'data.csv',
    totalSize: 3000,
    owner: 'local',
  });
  const file = patternBytes(3000);
  for (let index = 0; index < totalChunks; index++) {
    const bytes = file.slice(index * 1024, Math.min(3000, (index + 1) * 1024));
    await putChunk(deps, { owner: 'local', uploadId, chunkIndex: index, totalChunks, bytes });
  }
  expect((await completeUpload(deps, uploadId, 'local')).statusCode).toBe(202);
  deps.workflow.statusQueries.length = 0;
  deps.clock.advance(ageMs);
  return { deps, events, uploadId };
}

describe('getStatus when the execution ended without an outcome', () => {
  it.each(['FAILED', 'TIMED_OUT', 'ABORTED'] as const)(
    'records the upload failed when the execution is %s, as complete would, and publishes Upload Failed once',
    async (executionStatus) => {
      const { deps, events, uploadId } = await processingUpload();
      deps.workflow.executionStatus = executionStatus;

      const status = await getStatus(deps, uploadId, 'local');
      const again = await getStatus(deps, uploadId, 'local');
      const completeAnswer = await completeUpload(deps, uploadId, 'local');

      expect(status).toMatchObject({
        uploadId,
        state: 'failed',
        isComplete: true,
        receivedChunks: [0, 1, 2],
      });
      expect(status.result).toMatchObject({ success: false, state: 'failed', code: 'WORKFLOW_FAILED' });
      expect(String(status.result?.message)).toContain(executionStatus);
      expect(await deps.sessions.get(uploadId)).toMatchObject({
        state: 'failed',
        result: { statusCode: 500, body: status.result },
      });
      expect(again).toEqual(status);
      expect(completeAnswer).toEqual({ statusCode: 500, body: status.result });
      expect(events.detailTypes).toEqual(['Upload Failed']);
      expect(events.events[0]?.detail).toMatchObject({ state: 'failed', code: 'WORKFLOW_FAILED', uploadId });
      // Asked once: the second status and complete read the final state.
      expect(deps.workflow.statusQueries).toEqual([`execution:${uploadId}`]);
    },
  );

  it('keeps answering processing while the execution runs, and writes nothing', async () => {
    const { deps, events, uploadId } = await processingUpload();
    deps.workflow.executionStatus = 'RUNNING';
    const before = await deps.sessions.get(uploadId);

    const status = await getStatus(deps, uploadId, 'local');

    expect(status.state).toBe('processing');
    expect(status).not.toHaveProperty('result');
    expect(await deps.sessions.get(uploadId)).toEqual(before);
    expect(deps.workflow.statusQueries).toEqual([`execution:${uploadId}`]);
    expect(events.events).toEqual([]);
  });

  it('does not ask the engine before the upload has been processing for the minimum time', async () => {
    const { deps, uploadId } = await processingUpload(statusExecutionCheckAfterMs - 1);
    deps.workflow.executionStatus = 'FAILED';

    const status = await getStatus(deps, uploadId, 'local');

    expect(status.state).toBe('processing');
    expect(deps.workflow.statusQueries).toEqual([]);
  });

  // RecordCompletion lands between status's read of the session and its DescribeExecution: the
  // execution then reports SUCCEEDED (re-read), or TIMED_OUT (the conditional failed write loses).
  it.each(['SUCCEEDED', 'TIMED_OUT'] as const)(
    'answers the completion that landed first when the execution then reports %s',
    async (executionStatus) => {
      const { deps, uploadId } = await processingUpload();
      deps.workflow.executionStatus = executionStatus;
      deps.workflow.onStatus = async () => {
        await deps.sessions.transition(uploadId, {
          from: ['processing'],
          to: 'completed',
          set: { result: completedResult(uploadId) },
        });
      };

      const status = await getStatus(deps, uploadId, 'local');

      expect(status).toMatchObject({ state: 'completed', result: completedResult(uploadId).body });
      expect((await deps.sessions.get(uploadId))?.result).toEqual(completedResult(uploadId));
    },
  );

  it("keeps RecordFailure's outcome when it landed first, and publishes its event once", async () => {
    const { deps, events, uploadId } = await processingUpload();
    deps.workflow.executionStatus = 'FAILED';
    deps.workflow.onStatus = async () => {
      events.refuseNext = 1; // RecordFailure's own publish is refused: the event is still pending
      await recordFailure(deps, { uploadId, error: { Error: 'States.TaskFailed', Cause: 'boom' } }).catch(
        () => undefined,
      );
    };

    const status = await getStatus(deps, uploadId, 'local');

    expect(status.state).toBe('failed');
    expect(status.result).toMatchObject({ code: 'WORKFLOW_FAILED', error: 'States.TaskFailed' });
    expect((await deps.sessions.get(uploadId))?.result?.body).toMatchObject({ error: 'States.TaskFailed' });
    expect(events.detailTypes).toEqual(['Upload Failed']);
  });

  it('answers the stored state when the engine cannot be asked, and asks again on the next poll', async () => {
    const { deps, uploadId } = await processingUpload();
    deps.workflow.onStatus = () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    const status = await getStatus(deps, uploadId, 'local');
    deps.workflow.onStatus = undefined;
    deps.workflow.executionStatus = 'ABORTED';
    const next = await getStatus(deps, uploadId, 'local');

    expect(status.state).toBe('processing');
    expect(next.state).toBe('failed');
    expect(deps.workflow.statusQueries).toHaveLength(2);
  });
});

describe('completeUpload when the engine cannot be asked', () => {
  it('answers 202 processing instead of a 500, and a later request records the ended execution', async () => {
    const { deps, uploadId } = await processingUpload();
    deps.workflow.executionStatus = 'TIMED_OUT';
    deps.workflow.onStatus = () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };

    const throttled = await completeUpload(deps, uploadId, 'local');
    deps.workflow.onStatus = undefined;
    const next = await completeUpload(deps, uploadId, 'local');

    expect(throttled.statusCode).toBe(202);
    expect(throttled.body).toMatchObject({ state: 'processing' });
    expect(next.statusCode).toBe(500);
    expect(next.body).toMatchObject({ state: 'failed', code: 'WORKFLOW_FAILED', error: 'ExecutionTimedOut' });
    expect((await deps.sessions.get(uploadId))?.state).toBe('failed');
  });
});
