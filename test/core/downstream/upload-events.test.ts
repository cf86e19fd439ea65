/**
 * Events and notifications of the completion workflow's outcomes on in-memory ports: one event
 * per final state with the documented detail, published once across retries, fine-tuning jobs
 * only for completed fine-tuning datasets, and notification failures that leave the upload
 * completed.
 */
import { describe, expect, it } from 'vitest';
import { analyzeUpload } from '../../../lambdas/core/completion/analyze-upload.js';
import { assembleBatch } from '../../../lambdas/core/completion/assemble-batch.js';
import { finishAssembly } from '../../../lambdas/core/completion/finish-assembly.js';
import { planAssembly } from '../../../lambdas/core/completion/plan-assembly.js';
import { publishFile } from '../../../lambdas/core/completion/publish-file.js';
import { quarantineFile } from '../../../lambdas/core/completion/quarantine-file.js';
import { recordCompletion } from '../../../lambdas/core/completion/record-completion.js';
import { recordFailure } from '../../../lambdas/core/completion/record-failure.js';
import { wantsFineTuning } from '../../../lambdas/core/downstream/notify-downstream.js';
import { chatJsonl } from '../../support/datasets.js';
import {
  RecordingCurationNotifier,
  RecordingEventPublisher,
  RecordingFineTuningLauncher,
} from '../../support/downstream-doubles.js';
import {
  createDeps,
  fileBytes,
  fixedNow,
  MiB,
  runWorkflow,
  seedUpload,
  sha256Hex,
} from '../completion/fixtures.js';

function downstreamDeps() {
  const events = new RecordingEventPublisher();
  const fineTuning = new RecordingFineTuningLauncher();
  const curation = new RecordingCurationNotifier();
  const deps = { ...createDeps(), events, downstream: { fineTuning, curation } };
  return { deps, events, fineTuning, curation };
}

const chatBytes = Buffer.from(chatJsonl(12));

describe('upload events of the completion workflow', () => {
  it('publishes Upload Completed with the documented detail, and starts a fine-tuning job for a chat dataset', async () => {
    // Prepare
    const { deps, events, fineTuning, curation } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, {
      bytes: chatBytes,
      chunkSize: 256,
      filename: 'train.jsonl',
    });

    // Act
    await runWorkflow(deps, uploadId);

    // Assess
    const session = await deps.sessions.get(uploadId);
    expect(session?.state).toBe('completed');
    expect(fineTuning.requests).toEqual([
      expect.objectContaining({
        uploadId,
        idempotencyKey: `${uploadId}:fine-tuning`,
        s3Uri: `s3://test-bucket/completed/${uploadId}/train.jsonl`,
        schemaFamily: 'chat',
        recordCount: 12,
      }),
    ]);
    expect(curation.deliveries).toEqual([
      expect.objectContaining({
        idempotencyKey: `${uploadId}:data-curation`,
        body: expect.objectContaining({ uploadId, type: 'upload.completed', downstreamJobId: 'job-1' }),
      }),
    ]);
    expect(session?.result?.body).toMatchObject({
      downstreamJobId: 'job-1',
      notifications: [
        { target: 'fine-tuning', status: 'started', id: 'job-1' },
        { target: 'data-curation', status: 'delivered', id: 'cur-1' },
      ],
    });
    expect(events.detailTypes).toEqual(['Upload Completed']);
    expect(events.events[0]?.detail).toEqual({
      version: '1',
      eventId: `${uploadId}:completed`,
      uploadId,
      owner: 'local',
      state: 'completed',
      occurredAt: new Date(fixedNow).toISOString(),
      filename: 'train.jsonl',
      originalFilename: 'train.jsonl',
      bucket: 'test-bucket',
      key: `completed/${uploadId}/train.jsonl`,
      size: chatBytes.length,
      sha256: sha256Hex(chatBytes),
      fileType: 'dataset',
      schemaFamily: 'chat',
      recordCount: 12,
      purpose: null,
      findings: {
        errorCount: 0,
        warningCount: 0,
        errorCodes: {},
        pii: {},
        secrets: {},
        threats: [],
        malware: 'clean',
      },
      reportLocation: `s3://test-bucket/completed/${uploadId}/.analysis.json`,
      code: null,
      message: expect.stringContaining('uploaded, verified'),
      downstreamJobId: 'job-1',
      notifications: session?.result?.body.notifications,
    });
    expect(session?.publishedEvents).toEqual([`${uploadId}:completed`]);
  });

  it('publishes Upload Rejected and starts no job for a rejected chat dataset', async () => {
    const { deps, events, fineTuning, curation } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, {
      bytes: chatBytes,
      chunkSize: 256,
      filename: 'train.jsonl',
      checksum: '0'.repeat(64),
    });

    await runWorkflow(deps, uploadId);

    expect((await deps.sessions.get(uploadId))?.state).toBe('rejected');
    expect(fineTuning.requests).toEqual([]);
    expect(curation.deliveries).toEqual([]);
    expect(events.detailTypes).toEqual(['Upload Rejected']);
    expect(events.events[0]?.detail).toMatchObject({
      state: 'rejected',
      code: 'CHECKSUM_MISMATCH',
      key: `staging/${uploadId}/train.jsonl`,
      downstreamJobId: null,
      reportLocation: `s3://test-bucket/staging/${uploadId}/.analysis.json`,
    });
  });

  it('publishes Upload Quarantined, naming the threats, and starts no job', async () => {
    const { deps, events, fineTuning } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, {
      bytes: chatBytes,
      chunkSize: 256,
      filename: 'train.jsonl',
    });
    const plan = await planAssembly(deps, { uploadId });
    for (const batch of plan.batches) {
      const { multipartUploadId, stagingKey } = plan;
      await assembleBatch(deps, { uploadId, multipartUploadId, stagingKey, batch });
    }
    const assembled = await finishAssembly(deps, { uploadId, plan });
    const analyzed = await analyzeUpload(deps, { uploadId, plan, assembled });
    const verification = { ...analyzed, ok: false, quarantined: true, threats: ['malware Eicar-Test'] };

    await quarantineFile(deps, { uploadId, plan, assembled, verification });

    expect(fineTuning.requests).toEqual([]);
    expect(events.detailTypes).toEqual(['Upload Quarantined']);
    expect(events.events[0]?.detail).toMatchObject({
      state: 'quarantined',
      key: `quarantine/${uploadId}/train.jsonl`,
      findings: { threats: ['malware Eicar-Test'] },
    });
  });

  it('publishes Upload Failed for a failed workflow', async () => {
    const { deps, events } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(2 * MiB), chunkSize: MiB, missing: [1] });

    await runWorkflow(deps, uploadId);

    expect(events.detailTypes).toEqual(['Upload Failed']);
    expect(events.events[0]?.detail).toMatchObject({ state: 'failed', code: 'WORKFLOW_FAILED', key: null });
  });

  it('starts a job for any completed file whose init said purpose fine-tune, and none without', async () => {
    const { deps, fineTuning } = downstreamDeps();
    const tagged = await seedUpload(deps, { bytes: fileBytes(1024), chunkSize: 512, purpose: 'fine-tune' });
    const plain = await seedUpload(deps, { bytes: fileBytes(1024), chunkSize: 512 });

    await runWorkflow(deps, tagged.uploadId);
    await runWorkflow(deps, plain.uploadId);

    expect(fineTuning.requests.map((request) => request.uploadId)).toEqual([tagged.uploadId]);
    expect((await deps.sessions.get(plain.uploadId))?.result?.body).toMatchObject({
      downstreamJobId: null,
      notifications: [{ target: 'data-curation', status: 'delivered' }],
    });
  });

  it('keeps the upload completed when a target fails, and publishes Notification Failed', async () => {
    const { deps, events, fineTuning } = downstreamDeps();
    fineTuning.failing = true;
    const { uploadId } = await seedUpload(deps, {
      bytes: chatBytes,
      chunkSize: 256,
      filename: 'train.jsonl',
    });

    await runWorkflow(deps, uploadId);

    const session = await deps.sessions.get(uploadId);
    expect(session?.state).toBe('completed');
    expect(session?.result?.statusCode).toBe(200);
    expect(session?.result?.body).toMatchObject({
      downstreamJobId: null,
      notifications: [
        { target: 'fine-tuning', status: 'failed', error: 'Error: The fine-tuning queue is unavailable' },
        { target: 'data-curation', status: 'delivered' },
      ],
    });
    expect(events.detailTypes).toEqual(['Upload Completed', 'Notification Failed']);
    expect(events.events[1]?.detail).toMatchObject({ failedTarget: 'fine-tuning', state: 'completed' });
  });

  it('records every target failed when the NotifyDownstream task itself failed ($.notifyError)', async () => {
    const { deps, events } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(1024), chunkSize: 512 });
    const plan = await planAssembly(deps, { uploadId });
    for (const batch of plan.batches) {
      const { multipartUploadId, stagingKey } = plan;
      await assembleBatch(deps, { uploadId, multipartUploadId, stagingKey, batch });
    }
    const assembled = await finishAssembly(deps, { uploadId, plan });
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });
    const published = await publishFile(deps, { uploadId, plan, assembled, verification });

    const result = await recordCompletion(deps, {
      uploadId,
      plan,
      assembled,
      verification,
      published,
      notifyError: { Error: 'Lambda.Unknown', Cause: 'secret' },
    });

    expect(result?.body).toMatchObject({
      state: 'completed',
      notifications: [
        { target: 'downstream', status: 'failed', error: 'NotifyDownstream failed (Lambda.Unknown)' },
      ],
    });
    expect(events.detailTypes).toEqual(['Upload Completed', 'Notification Failed']);
  });

  it('publishes each event once across task retries, and a retry finishes a publish that failed', async () => {
    const { deps, events } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(1024), chunkSize: 512 });
    const plan = await planAssembly(deps, { uploadId });
    for (const batch of plan.batches) {
      const { multipartUploadId, stagingKey } = plan;
      await assembleBatch(deps, { uploadId, multipartUploadId, stagingKey, batch });
    }
    const assembled = await finishAssembly(deps, { uploadId, plan });
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });
    const published = await publishFile(deps, { uploadId, plan, assembled, verification });
    const state = { uploadId, plan, assembled, verification, published };

    // The bus refuses: the task fails after recording the outcome (Step Functions retries it).
    events.refuseNext = 1;
    await expect(recordCompletion(deps, state)).rejects.toThrow(/refused/);
    expect((await deps.sessions.get(uploadId))?.state).toBe('completed');
    expect(events.events).toEqual([]);
    // The retry publishes it; a further retry, and RecordFailure after it, publish nothing more.
    await recordCompletion(deps, state);
    await recordCompletion(deps, state);
    await recordFailure(deps, { uploadId, error: { Error: 'States.TaskFailed' } });

    expect(events.detailTypes).toEqual(['Upload Completed']);
  });

  it('lets RecordFailure finish the completed event when RecordCompletion could not publish it', async () => {
    const { deps, events } = downstreamDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(1024), chunkSize: 512 });
    // RecordCompletion's attempts all fail to publish (one here; runWorkflow does not retry), so
    // its Catch goes to RecordFailure, which finds the upload completed and publishes that event.
    events.refuseNext = 1;
    await runWorkflow(deps, uploadId);
    expect((await deps.sessions.get(uploadId))?.state).toBe('completed');

    expect(events.detailTypes).toEqual(['Upload Completed']);
  });
});

describe('wantsFineTuning', () => {
  it('takes the fine-tuning families and purpose fine-tune, nothing else', () => {
    expect(['chat', 'prompt_completion', 'preference'].every((family) => wantsFineTuning({}, family))).toBe(
      true,
    );
    expect(wantsFineTuning({}, 'classification')).toBe(false);
    expect(wantsFineTuning({}, 'text')).toBe(false);
    expect(wantsFineTuning({}, null)).toBe(false);
    expect(wantsFineTuning({ purpose: 'fine-tune' }, 'text')).toBe(true);
    expect(wantsFineTuning({ purpose: 'evaluation' }, 'chat')).toBe(true);
  });
});
