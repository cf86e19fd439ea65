import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyzeUpload } from '../../../lambdas/core/completion/analyze-upload.js';
import { assembleBatch } from '../../../lambdas/core/completion/assemble-batch.js';
import { finishAssembly } from '../../../lambdas/core/completion/finish-assembly.js';
import { planAssembly } from '../../../lambdas/core/completion/plan-assembly.js';
import { publishFile } from '../../../lambdas/core/completion/publish-file.js';
import { recordCompletion } from '../../../lambdas/core/completion/record-completion.js';
import { recordFailure } from '../../../lambdas/core/completion/record-failure.js';
import {
  MissingChunksError,
  UploadNotFoundError,
  UploadStateConflictError,
  ValidationError,
} from '../../../lambdas/core/errors.js';
import { keys } from '../../../lambdas/core/keys.js';
import type { CompletionState } from '../../../lambdas/workflow/contract.js';
import { chatJsonl, safetensors } from '../../support/datasets.js';
import {
  createDeps,
  fileBytes,
  fixedNow,
  MiB,
  runWorkflow,
  seedUpload,
  sha256Hex,
  type TestDeps,
} from './fixtures.js';

/** Runs PlanAssembly and every batch, as the Map does. */
async function planAndAssemble(deps: TestDeps, uploadId: string) {
  const plan = await planAssembly(deps, { uploadId });
  for (const batch of plan.batches) {
    await assembleBatch(deps, {
      uploadId,
      multipartUploadId: plan.multipartUploadId,
      stagingKey: plan.stagingKey,
      batch,
    });
  }
  return plan;
}

describe('PlanAssembly', () => {
  it('throws MissingChunksError naming the chunks that are not stored', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, {
      bytes: fileBytes(4 * MiB),
      chunkSize: MiB,
      missing: [0, 3],
    });

    // Act
    const planning = planAssembly(deps, { uploadId });

    // Assess
    await expect(planning).rejects.toThrow(MissingChunksError);
    await expect(planAssembly(deps, { uploadId })).rejects.toThrow('2 of 4 chunks are not stored (0, 3)');
  });

  it('throws MissingChunksError when a chunk is claimed but its object was never stored', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(2 * MiB), chunkSize: MiB, missing: [1] });
    await deps.sessions.claimChunk(uploadId, {
      index: 1,
      size: MiB,
      sha256: 'f'.repeat(64),
      status: 'pending',
      receivedAt: fixedNow,
    });

    // Act
    const planning = planAssembly(deps, { uploadId });

    // Assess
    await expect(planning).rejects.toThrow(MissingChunksError);
  });

  it('throws ValidationError when a stored chunk does not have the size its index implies', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, {
      bytes: fileBytes(3 * MiB),
      chunkSize: MiB,
      missing: [2],
      uploading: true,
    });
    await deps.sessions.claimChunk(uploadId, {
      index: 2,
      size: 10,
      sha256: 'e'.repeat(64),
      status: 'pending',
      receivedAt: fixedNow,
    });
    await deps.sessions.markChunkStored(uploadId, 2, 'e'.repeat(64));
    await deps.sessions.transition(uploadId, { from: ['uploading'], to: 'processing' });

    // Act
    const planning = planAssembly(deps, { uploadId });

    // Assess
    await expect(planning).rejects.toThrow(ValidationError);
  });

  it('refuses a session that complete has not moved to processing', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB, uploading: true });

    // Act
    const planning = planAssembly(deps, { uploadId });

    // Assess
    await expect(planning).rejects.toThrow(UploadStateConflictError);
    await expect(planAssembly(deps, { uploadId })).rejects.toThrow(
      `Upload ${uploadId} is uploading, not processing`,
    );
  });

  it('throws UploadNotFoundError for an unknown upload', async () => {
    // Prepare
    const deps = createDeps();

    // Act
    const planning = planAssembly(deps, { uploadId: '00000000-0000-4000-8000-000000000000' });

    // Assess
    await expect(planning).rejects.toThrow(UploadNotFoundError);
  });

  it('starts the multipart upload at the staging key and plans 5 MiB parts of 1 MiB chunks', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(12 * MiB), chunkSize: MiB });

    // Act
    const plan = await planAssembly(deps, { uploadId });

    // Assess
    expect(plan).toMatchObject({
      stagingKey: keys.staging(uploadId, 'shard.dat'),
      chunksPerPart: 5,
      partCount: 3,
      batches: [{ batchIndex: 0, firstPart: 1, lastPart: 3 }],
    });
    expect(plan.multipartUploadId).toEqual(expect.any(String));
  });
});

describe('AssembleBatch', () => {
  it('writes the ETag manifest of its parts and answers the part count', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(11 * MiB), chunkSize: MiB });
    const plan = await planAssembly(deps, { uploadId });

    // Act
    const output = await assembleBatch(deps, {
      uploadId,
      multipartUploadId: plan.multipartUploadId,
      stagingKey: plan.stagingKey,
      batch: { batchIndex: 0, firstPart: 1, lastPart: 3 },
    });

    // Assess
    expect(output).toEqual({ batchIndex: 0, partCount: 3 });
    const manifest = JSON.parse(
      Buffer.from((await deps.objects.getBytes(keys.partManifest(uploadId, 0))) ?? []).toString(),
    );
    expect(manifest).toEqual([1, 2, 3].map((partNumber) => ({ partNumber, etag: expect.any(String) })));
  });

  it('can run again for the same batch and the file still assembles', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(11 * MiB);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB });
    const plan = await planAndAssemble(deps, uploadId);

    // Act
    await assembleBatch(deps, {
      uploadId,
      multipartUploadId: plan.multipartUploadId,
      stagingKey: plan.stagingKey,
      batch: plan.batches[0] as (typeof plan.batches)[0],
    });
    const assembled = await finishAssembly(deps, { uploadId, plan });

    // Assess
    expect(assembled).toEqual({ stagingKey: plan.stagingKey, size: bytes.length });
    expect(Buffer.from((await deps.objects.getBytes(plan.stagingKey)) ?? []).equals(bytes)).toBe(true);
  });

  it('fails the part when a chunk object is shorter than its record says', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(6 * MiB), chunkSize: MiB });
    const plan = await planAssembly(deps, { uploadId });
    await deps.objects.put(keys.chunk(uploadId, 2), fileBytes(MiB - 1));

    // Act
    const assembling = assembleBatch(deps, {
      uploadId,
      multipartUploadId: plan.multipartUploadId,
      stagingKey: plan.stagingKey,
      batch: { batchIndex: 0, firstPart: 1, lastPart: 2 },
    });

    // Assess
    await expect(assembling).rejects.toThrow(
      `read ${5 * MiB - 1} bytes from chunks 0..4, expected ${5 * MiB}`,
    );
  });
});

describe('FinishAssembly', () => {
  it('answers the staging object when a retry finds the multipart upload already completed', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(7 * MiB);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB });
    const plan = await planAndAssemble(deps, uploadId);
    await finishAssembly(deps, { uploadId, plan });

    // Act
    const retried = await finishAssembly(deps, { uploadId, plan });

    // Assess
    expect(retried).toEqual({ stagingKey: plan.stagingKey, size: bytes.length });
  });

  it('fails when a batch manifest is missing', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(7 * MiB), chunkSize: MiB });
    const plan = await planAssembly(deps, { uploadId });

    // Act
    const finishing = finishAssembly(deps, { uploadId, plan });

    // Assess
    await expect(finishing).rejects.toThrow('The part manifest of batch 0 is missing');
  });
});

describe('AnalyzeFile', () => {
  it('rejects with SIZE_MISMATCH when the assembled file is not the declared size', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(100), chunkSize: MiB });
    const stagingKey = keys.staging(uploadId, 'shard.dat');
    await deps.objects.put(stagingKey, fileBytes(99));
    const plan = { multipartUploadId: 'm', stagingKey, chunksPerPart: 5, partCount: 1, batches: [] };

    // Act
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled: { stagingKey, size: 99 } });

    // Assess
    expect(verification).toMatchObject({ ok: false, code: 'SIZE_MISMATCH', size: 99 });
    expect(verification.reason).toContain('99 bytes but init declared totalSize 100');
  });

  it('accepts a file whose sha256 matches the checksum and detects its type from its first bytes', async () => {
    // Prepare: a safetensors model under a name that says nothing about its type.
    const deps = createDeps();
    const bytes = safetensors({ 'layer.weight': { dtype: 'F32', shape: [4, 4] } });
    const { uploadId } = await seedUpload(deps, {
      bytes,
      chunkSize: MiB,
      filename: 'weights.bin',
      checksum: sha256Hex(bytes),
    });
    const plan = await planAndAssemble(deps, uploadId);
    const assembled = await finishAssembly(deps, { uploadId, plan });

    // Act
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });

    // Assess
    expect(verification).toEqual({
      ok: true,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      fileType: 'model_artifact',
      detectedBy: 'magic bytes 8-byte header length then { (safetensors)',
      reportKey: keys.stagingReport(uploadId),
      errorCount: 0,
      warningCount: 0,
      quarantined: false,
    });
  });

  it('writes the full analysis report next to the staging file', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = Buffer.from(chatJsonl(12));
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB, filename: 'train.jsonl' });
    const plan = await planAndAssemble(deps, uploadId);
    const assembled = await finishAssembly(deps, { uploadId, plan });

    // Act
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });

    // Assess
    expect(verification).toMatchObject({ ok: true, fileType: 'dataset', errorCount: 0, warningCount: 0 });
    expect(verification.reportKey).toBe(keys.stagingReport(uploadId));
    const report = JSON.parse(
      Buffer.from((await deps.objects.getBytes(verification.reportKey)) ?? []).toString(),
    );
    expect(report).toMatchObject({
      version: 1,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      fileType: 'dataset',
      valid: true,
      findings: { errors: [], errorCount: 0, warnings: [], warningCount: 0 },
      dataset: { format: 'jsonl', recordCount: 12, schemaFamily: 'chat' },
    });
  });

  it('rejects with DATASET_INVALID a dataset that does not follow the schema init asked for', async () => {
    // Prepare: well-formed chat records, but init declared prompt/completion pairs.
    const deps = createDeps();
    const bytes = Buffer.from(chatJsonl(12));
    const { uploadId } = await seedUpload(deps, {
      bytes,
      chunkSize: MiB,
      filename: 'train.jsonl',
      schema: 'prompt_completion',
    });
    const plan = await planAndAssemble(deps, uploadId);
    const assembled = await finishAssembly(deps, { uploadId, plan });

    // Act
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });

    // Assess
    expect(verification).toMatchObject({ ok: false, code: 'DATASET_INVALID', fileType: 'dataset' });
    expect(verification.errorCount).toBeGreaterThanOrEqual(1);
    expect(verification.reason).toContain('line 1');
    expect(verification.reason).toContain(`s3://test-bucket/${keys.stagingReport(uploadId)}`);
  });
});

describe('PublishFile', () => {
  it('carries on when a retry finds the staging object already published', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(6 * MiB);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB });
    const plan = await planAndAssemble(deps, uploadId);
    const assembled = await finishAssembly(deps, { uploadId, plan });
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });
    const first = await publishFile(deps, { uploadId, plan, assembled, verification });

    // Act
    const retried = await publishFile(deps, { uploadId, plan, assembled, verification });

    // Assess
    expect(retried).toEqual(first);
    expect(retried).toEqual({
      key: keys.completed(uploadId, 'shard.dat'),
      filepath: `s3://test-bucket/${keys.completed(uploadId, 'shard.dat')}`,
    });
    expect(Buffer.from((await deps.objects.getBytes(retried.key)) ?? []).equals(bytes)).toBe(true);
  });

  it('copies the analysis report next to the published file and deletes the staging one', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(6 * MiB), chunkSize: MiB });
    const plan = await planAndAssemble(deps, uploadId);
    const assembled = await finishAssembly(deps, { uploadId, plan });
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled });
    const report = await deps.objects.getBytes(keys.stagingReport(uploadId));

    // Act
    await publishFile(deps, { uploadId, plan, assembled, verification });

    // Assess
    expect(report).toBeDefined();
    expect(await deps.objects.getBytes(keys.completedReport(uploadId))).toEqual(report);
    expect(await deps.objects.head(keys.stagingReport(uploadId))).toBeUndefined();
  });

  it('fails when neither the staging object nor the published one exists', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });
    const stagingKey = keys.staging(uploadId, 'shard.dat');
    const plan = { multipartUploadId: 'm', stagingKey, chunksPerPart: 5, partCount: 1, batches: [] };
    const verification = {
      ok: true,
      size: 10,
      sha256: 'a'.repeat(64),
      fileType: 'dataset' as const,
      detectedBy: 'x',
      reportKey: keys.stagingReport(uploadId),
      errorCount: 0,
      warningCount: 0,
      quarantined: false,
    };

    // Act
    const publishing = publishFile(deps, {
      uploadId,
      plan,
      assembled: { stagingKey, size: 10 },
      verification,
    });

    // Assess
    await expect(publishing).rejects.toThrow('Neither the staging object');
  });
});

describe('RecordCompletion', () => {
  it('records the completion once when it runs twice', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });
    const state = (await runWorkflow(deps, uploadId)) as CompletionState;
    const first = await deps.sessions.get(uploadId);
    deps.clock.now = () => fixedNow + 60_000;

    // Act
    const again = await recordCompletion(deps, state);

    // Assess
    const after = await deps.sessions.get(uploadId);
    expect(after).toEqual(first);
    expect(again).toEqual(first?.result);
    expect(after?.state).toBe('completed');
  });

  it('does not overwrite an upload another outcome already ended', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });
    const state = (await runWorkflow(deps, uploadId)) as CompletionState;
    await deps.sessions.update(uploadId, { result: { statusCode: 500, body: { state: 'failed' } } });
    await deps.sessions.transition(uploadId, { from: ['completed'], to: 'failed' });

    // Act
    const again = await recordCompletion(deps, state);

    // Assess
    expect((await deps.sessions.get(uploadId))?.state).toBe('failed');
    expect(again).toEqual({ statusCode: 500, body: { state: 'failed' } });
  });
});

describe('RecordFailure', () => {
  const cause = JSON.stringify({
    errorType: 'Error',
    errorMessage: 'connect ECONNREFUSED 10.0.3.7:443 secret-bucket-name',
    trace: ['at internal (/var/task/index.js:1:1)'],
  });

  it('stores a 500 that names the error but never the Cause, and logs the Cause with the upload id', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });

    // Act
    const result = await recordFailure(deps, { uploadId, error: { Error: 'Error', Cause: cause } });

    // Assess
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('failed');
    expect(stored?.result).toEqual(result);
    expect(result).toEqual({
      statusCode: 500,
      body: expect.objectContaining({
        success: false,
        state: 'failed',
        uploadId,
        error: 'Error',
        message: expect.stringContaining('The completion workflow failed (Error); the chunks are kept.'),
      }),
    });
    const serialized = JSON.stringify(stored?.result);
    expect(serialized).not.toContain('ECONNREFUSED');
    expect(serialized).not.toContain('/var/task');
    expect(deps.logLines).toContainEqual(expect.objectContaining({ uploadId, level: 'error', cause }));
  });

  it('names an unknown error when the Error field is not an identifier', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });

    // Act
    const result = await recordFailure(deps, {
      uploadId,
      error: { Error: 'boom at /var/task/x.js: token=abc', Cause: cause },
    });

    // Assess
    expect(result?.body).toMatchObject({ error: 'UnknownError' });
    expect(JSON.stringify(result)).not.toContain('/var/task');
  });

  it('aborts the multipart upload when the state has a plan', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(6 * MiB), chunkSize: MiB });
    const plan = await planAssembly(deps, { uploadId });

    // Act
    await recordFailure(deps, { uploadId, plan, error: { Error: 'States.Timeout' } });

    // Assess
    const uploading = deps.objects.uploadPart({
      key: plan.stagingKey,
      multipartUploadId: plan.multipartUploadId,
      partNumber: 1,
      body: Readable.from([Buffer.from('x')]),
      contentLength: 1,
    });
    await expect(uploading).rejects.toMatchObject({ name: 'NoSuchUpload' });
    expect((await deps.sessions.get(uploadId))?.result?.body).toMatchObject({ error: 'States.Timeout' });
  });

  it('still records the failure when the multipart upload cannot be aborted', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });
    const plan = {
      multipartUploadId: 'gone',
      stagingKey: 'staging/x',
      chunksPerPart: 5,
      partCount: 1,
      batches: [],
    };

    // Act
    await recordFailure(deps, { uploadId, plan, error: { Error: 'PartManifestError' } });

    // Assess
    expect((await deps.sessions.get(uploadId))?.state).toBe('failed');
    expect(deps.logLines).toContainEqual(expect.objectContaining({ uploadId, level: 'warn' }));
  });

  it('leaves a completed upload completed', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(10), chunkSize: MiB });
    await runWorkflow(deps, uploadId);
    const completed = await deps.sessions.get(uploadId);

    // Act
    await recordFailure(deps, { uploadId, error: { Error: 'Lambda.Unknown' } });

    // Assess
    expect(await deps.sessions.get(uploadId)).toEqual(completed);
  });
});
