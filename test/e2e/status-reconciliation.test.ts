/**
 * A client that only polls `status` learns that the completion workflow ended without recording an
 * outcome. On the local stack the synthesized state machine really runs and really ends that way:
 * the table refuses every outcome write while it runs, so RecordCompletion fails after its
 * retries, and so does RecordFailure, and the execution ends FAILED with the session `processing`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusExecutionCheckAfterMs } from '../../lambdas/core/get-status.js';
import type { SessionRepository } from '../../lambdas/core/ports.js';
import { systemClock } from '../../lambdas/core/ports.js';
import { getDeps, overrideDeps } from '../../lambdas/runtime/deps.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ COMPLETE_WAIT_SECONDS: '0' });
});
afterAll(async () => {
  await t?.stop();
});

/** The stack's session table, refusing every write that would end a `processing` upload. */
function refusingOutcomes(table: SessionRepository): SessionRepository {
  return {
    create: (session) => table.create(session),
    get: (uploadId) => table.get(uploadId),
    claimChunk: (uploadId, record) => table.claimChunk(uploadId, record),
    markChunkStored: (uploadId, index, sha256) => table.markChunkStored(uploadId, index, sha256),
    listChunks: (uploadId) => table.listChunks(uploadId),
    transition: (uploadId, transition) =>
      transition.from.includes('processing')
        ? Promise.reject(new Error('The table is unavailable'))
        : table.transition(uploadId, transition),
    update: (uploadId, set) => table.update(uploadId, set),
    listByState: (states) => table.listByState(states),
  };
}

async function eventTypesOf(uploadId: string): Promise<unknown[]> {
  const text = await readFile(join(t.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { 'detail-type': string; detail: { uploadId: string } })
    .filter((event) => event.detail.uploadId === uploadId)
    .map((event) => event['detail-type']);
}

describe('status after an execution that ended without an outcome', () => {
  it('answers failed from status alone, records it, and appends Upload Failed', async () => {
    const bytes = Buffer.from('{"text": "hello"}\n'.repeat(20));
    const uploadId = (await t.api.init({ filename: 'train.jsonl', totalSize: bytes.length })).body
      .uploadId as string;
    await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 1 }, bytes);
    const table = getDeps().sessions;
    overrideDeps({ sessions: refusingOutcomes(table) });
    let accepted: Awaited<ReturnType<typeof t.api.complete>>;
    try {
      accepted = await t.api.complete(uploadId);
      await t.stack.runner.idle();
    } finally {
      overrideDeps({ sessions: table });
    }
    const executionId = (await table.get(uploadId))?.executionId as string;
    const early = await t.api.status(uploadId);

    // A minute later (the clock moved, not the test): status asks how the execution stands.
    overrideDeps({ clock: { now: () => Date.now() + statusExecutionCheckAfterMs } });
    let reconciled: Awaited<ReturnType<typeof t.api.status>>;
    let again: Awaited<ReturnType<typeof t.api.status>>;
    try {
      reconciled = await t.api.status(uploadId);
      again = await t.api.status(uploadId);
    } finally {
      overrideDeps({ clock: systemClock });
    }

    expect(accepted.status).toBe(202);
    expect(await t.stack.runner.status(executionId)).toBe('FAILED');
    expect(early.body).toMatchObject({ state: 'processing' });
    expect(reconciled.status).toBe(200);
    expect(reconciled.body).toMatchObject({
      uploadId,
      state: 'failed',
      isComplete: true,
      result: { success: false, state: 'failed', code: 'WORKFLOW_FAILED', error: 'ExecutionFailed' },
    });
    expect(again.body).toEqual(reconciled.body);
    expect(await table.get(uploadId)).toMatchObject({ state: 'failed', result: { statusCode: 500 } });
    expect(await eventTypesOf(uploadId)).toEqual(['Upload Failed']);
  });
});
