import { describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/core/keys.js';
import { chatExample, chatJsonl } from '../../support/datasets.js';
import {
  createDeps,
  fileBytes,
  fixedNow,
  MiB,
  resultRetentionMs,
  runWorkflow,
  seedUpload,
  sha256Hex,
} from './fixtures.js';

describe('completion workflow, end to end on in-memory ports', () => {
  it('publishes a 12 MiB+ file sent as 1 MiB chunks in random order byte for byte', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(12 * MiB + 12_345);
    const session = await seedUpload(deps, { bytes, chunkSize: MiB, checksum: sha256Hex(bytes) });
    const { uploadId } = session;

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    const publishedKey = keys.completed(uploadId, 'shard.dat');
    expect(Buffer.from((await deps.objects.getBytes(publishedKey)) ?? []).equals(bytes)).toBe(true);
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('completed');
    expect(stored?.ttl).toBe(Math.ceil((fixedNow + resultRetentionMs) / 1000));
    expect(stored?.updatedAt).toBe(fixedNow);
    expect(stored?.result?.statusCode).toBe(200);
    const filepath = `s3://test-bucket/${publishedKey}`;
    expect(stored?.result?.body).toEqual({
      success: true,
      state: 'completed',
      uploadId,
      filepath,
      metadata: {
        uploadId,
        filename: 'shard.dat',
        originalFilename: 'shard.dat',
        size: bytes.length,
        checksum: sha256Hex(bytes),
        timestamp: new Date(fixedNow).toISOString(),
        fileType: 'other',
        filepath,
        totalChunks: 13,
        chunkSize: MiB,
        detectedBy: 'unrecognized extension .dat and no known magic bytes',
        scan: {
          virus: {
            status: 'clean',
            engine: 'test double',
            signatures: 'EICAR body',
            threats: [],
            scannedBytes: bytes.length,
          },
        },
        warnings: [],
        warningCount: 0,
        reportPath: `s3://test-bucket/${keys.completedReport(uploadId)}`,
        lineage: {
          owner: 'local',
          originalFilename: 'shard.dat',
          startedAt: new Date(fixedNow - 60_000).toISOString(),
          completedAt: new Date(fixedNow).toISOString(),
          sha256: sha256Hex(bytes),
        },
      },
      downstreamJobId: null,
      notifications: [],
      message: expect.stringContaining(filepath),
    });
  });

  it('deletes the chunks, the staging object, its report and the part manifests once the file is published', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(12 * MiB + 1);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB });

    // Act
    await runWorkflow(deps, uploadId);

    // Assess
    for (let index = 0; index < 13; index++)
      expect(await deps.objects.head(keys.chunk(uploadId, index))).toBeUndefined();
    expect(await deps.objects.head(keys.staging(uploadId, 'shard.dat'))).toBeUndefined();
    expect(await deps.objects.head(keys.stagingReport(uploadId))).toBeUndefined();
    expect(await deps.objects.head(keys.partManifest(uploadId, 0))).toBeUndefined();
    expect(await deps.objects.head(keys.completed(uploadId, 'shard.dat'))).toEqual({ size: bytes.length });
    expect(await deps.objects.head(keys.completedReport(uploadId))).toBeDefined();
  });

  it('publishes a one-chunk 10-byte file as a single small part', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(10);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB, checksum: sha256Hex(bytes) });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.plan).toMatchObject({
      partCount: 1,
      batches: [{ batchIndex: 0, firstPart: 1, lastPart: 1 }],
    });
    expect(Buffer.from((await deps.objects.getBytes(keys.completed(uploadId, 'shard.dat'))) ?? [])).toEqual(
      bytes,
    );
    const body = (await deps.sessions.get(uploadId))?.result?.body as {
      metadata: { size: number; checksum: string };
    };
    expect(body.metadata).toMatchObject({ size: 10, checksum: sha256Hex(bytes) });
  });

  it('assembles 12,000 chunks of 1 KiB into at most 10,000 parts of at least 5 MiB', async () => {
    // Prepare: the in-memory store rejects a non-last part under 5 MiB at completion, as S3 does.
    const deps = createDeps();
    const bytes = fileBytes(12_000 * 1024 - 100, 3);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: 1024 });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    const plan = state.plan ?? { chunksPerPart: 0, partCount: 0 };
    expect(plan.chunksPerPart * 1024).toBeGreaterThanOrEqual(5 * MiB);
    expect(plan.partCount).toBeLessThanOrEqual(10_000);
    expect(plan.partCount).toBe(3);
    expect(
      Buffer.from((await deps.objects.getBytes(keys.completed(uploadId, 'shard.dat'))) ?? []).equals(bytes),
    ).toBe(true);
    expect(await deps.objects.head(keys.chunk(uploadId, 11_999))).toBeUndefined();
  });

  it('rejects a file whose sha256 differs from the declared checksum and publishes nothing', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(2 * MiB + 5);
    const declared = 'A'.repeat(64);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB, checksum: declared.toLowerCase() });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    const actual = sha256Hex(bytes);
    expect(state.verification).toEqual({
      ok: false,
      size: bytes.length,
      sha256: actual,
      fileType: 'other',
      detectedBy: 'unrecognized extension .dat and no known magic bytes',
      reportKey: keys.stagingReport(uploadId),
      errorCount: 0,
      warningCount: 0,
      quarantined: false,
      code: 'CHECKSUM_MISMATCH',
      reason: `The file's sha256 is ${actual} but init declared checksum ${'a'.repeat(64)}; nothing was published. Re-upload the file or fix the checksum.`,
    });
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('rejected');
    const stagingKey = keys.staging(uploadId, 'shard.dat');
    expect(stored?.result).toEqual({
      statusCode: 422,
      body: expect.objectContaining({
        success: false,
        state: 'rejected',
        uploadId,
        code: 'CHECKSUM_MISMATCH',
        message: expect.stringContaining(actual),
        errors: [],
        errorCount: 0,
        warnings: [],
        warningCount: 0,
        reportPath: `s3://test-bucket/${keys.stagingReport(uploadId)}`,
        metadata: expect.objectContaining({
          size: bytes.length,
          checksum: actual,
          expectedChecksum: 'a'.repeat(64),
        }),
        stagingKey,
        inspectionPath: `s3://test-bucket/${stagingKey}`,
        downstreamJobId: null,
      }),
    });
    expect(await deps.objects.head(keys.completed(uploadId, 'shard.dat'))).toBeUndefined();
    expect(await deps.objects.head(stagingKey)).toEqual({ size: bytes.length });
    expect(await deps.objects.head(keys.stagingReport(uploadId))).toBeDefined();
  });

  it('publishes a valid JSONL dataset with its record count and its report next to it', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = Buffer.from(chatJsonl(12));
    const { uploadId } = await seedUpload(deps, {
      bytes,
      chunkSize: 1024,
      filename: 'train.jsonl',
      checksum: sha256Hex(bytes),
      schema: 'chat',
      purpose: 'fine-tune',
      metadata: { team: 'search', run: 7 },
    });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    expect(state.verification).toMatchObject({ ok: true, fileType: 'dataset', errorCount: 0 });
    const publishedKey = keys.completed(uploadId, 'train.jsonl');
    expect(Buffer.from((await deps.objects.getBytes(publishedKey)) ?? []).equals(bytes)).toBe(true);
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('completed');
    expect(stored?.result?.statusCode).toBe(200);
    const reportKey = keys.completedReport(uploadId);
    expect(reportKey).toBe(`completed/${uploadId}/.analysis.json`);
    expect(stored?.result?.body).toMatchObject({
      success: true,
      filepath: `s3://test-bucket/${publishedKey}`,
      metadata: {
        fileType: 'dataset',
        recordCount: 12,
        schemaFamily: 'chat',
        dataset: { format: 'jsonl', recordCount: 12, schemaFamily: 'chat', fields: [{ name: 'messages' }] },
        warnings: [],
        warningCount: 0,
        reportPath: `s3://test-bucket/${reportKey}`,
        lineage: {
          owner: 'local',
          sha256: sha256Hex(bytes),
          purpose: 'fine-tune',
          clientMetadata: { team: 'search', run: 7 },
        },
      },
    });
    const report = JSON.parse(Buffer.from((await deps.objects.getBytes(reportKey)) ?? []).toString());
    expect(report).toMatchObject({
      sha256: sha256Hex(bytes),
      valid: true,
      dataset: { format: 'jsonl', recordCount: 12 },
    });
    expect(await deps.objects.head(keys.stagingReport(uploadId))).toBeUndefined();
  });

  it('rejects an invalid JSONL dataset with its located errors and publishes nothing', async () => {
    // Prepare: line 2 is no JSON, line 3 is a chat example without an assistant answer.
    const deps = createDeps();
    const records = Array.from({ length: 11 }, (_, i) => JSON.stringify(chatExample(i)));
    records.splice(1, 0, '{"messages": [');
    records.splice(2, 0, JSON.stringify({ messages: [{ role: 'user', content: 'Hello?' }] }));
    const bytes = Buffer.from(`${records.join('\n')}\n`);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: 1024, filename: 'train.jsonl' });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    expect(state.published).toBeUndefined();
    expect(state.verification).toMatchObject({ ok: false, code: 'DATASET_INVALID', errorCount: 2 });
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('rejected');
    expect(stored?.result?.statusCode).toBe(422);
    const body = stored?.result?.body as { errors: { line?: number; code: string }[] };
    expect(body).toMatchObject({
      success: false,
      state: 'rejected',
      code: 'DATASET_INVALID',
      message: expect.stringContaining('line 2'),
      errorCount: 2,
      filepath: null,
      reportPath: `s3://test-bucket/${keys.stagingReport(uploadId)}`,
      metadata: { fileType: 'dataset', recordCount: 12, schemaFamily: 'chat' },
    });
    expect(body.errors.map(({ line, code }) => ({ line, code }))).toEqual([
      { line: 2, code: 'INVALID_JSON' },
      { line: 3, code: expect.any(String) },
    ]);
    expect(await deps.objects.head(keys.completed(uploadId, 'train.jsonl'))).toBeUndefined();
    expect(await deps.objects.head(keys.completedReport(uploadId))).toBeUndefined();
    expect(await deps.objects.head(keys.staging(uploadId, 'train.jsonl'))).toEqual({ size: bytes.length });
  });

  it('rejects a .jsonl file of random bytes as UNREADABLE_DATASET and publishes nothing', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(3 * MiB);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB, filename: 'train.jsonl' });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    expect(state.verification).toMatchObject({ ok: false, code: 'DATASET_INVALID' });
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('rejected');
    expect(stored?.result?.statusCode).toBe(422);
    const body = stored?.result?.body as { errors: { code: string }[] };
    expect(body).toMatchObject({ code: 'DATASET_INVALID', filepath: null });
    expect(body.errors.map((error) => error.code)).toContain('UNREADABLE_DATASET');
    expect(await deps.objects.head(keys.completed(uploadId, 'train.jsonl'))).toBeUndefined();
  });

  it('fails the upload with a 500 naming MissingChunksError when a chunk never arrived', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(3 * MiB), chunkSize: MiB, missing: [1] });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toMatchObject({ Error: 'MissingChunksError' });
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('failed');
    expect(stored?.result).toMatchObject({
      statusCode: 500,
      body: { error: 'MissingChunksError', state: 'failed' },
    });
    expect(await deps.objects.head(keys.chunk(uploadId, 0))).toEqual({ size: MiB });
  });

  it('writes the upload id on every log line', async () => {
    // Prepare
    const deps = createDeps();
    const { uploadId } = await seedUpload(deps, { bytes: fileBytes(6 * MiB), chunkSize: MiB });

    // Act
    await runWorkflow(deps, uploadId);

    // Assess
    expect(deps.logLines.length).toBeGreaterThanOrEqual(6);
    for (const line of deps.logLines) expect(line.uploadId).toBe(uploadId);
  });
});
