import { describe, expect, it } from 'vitest';
import { keys } from '../../../lambdas/core/keys.js';
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
    const publishedKey = keys.completed(uploadId, 'train.jsonl');
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
        filename: 'train.jsonl',
        originalFilename: 'train.jsonl',
        size: bytes.length,
        checksum: sha256Hex(bytes),
        timestamp: new Date(fixedNow).toISOString(),
        fileType: 'dataset',
        filepath,
        totalChunks: 13,
        chunkSize: MiB,
        detectedBy: 'extension .jsonl',
      },
      downstreamJobId: null,
      message: expect.stringContaining(filepath),
    });
  });

  it('deletes the chunks, the staging object and the part manifests once the file is published', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = fileBytes(12 * MiB + 1);
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB });

    // Act
    await runWorkflow(deps, uploadId);

    // Assess
    for (let index = 0; index < 13; index++)
      expect(await deps.objects.head(keys.chunk(uploadId, index))).toBeUndefined();
    expect(await deps.objects.head(keys.staging(uploadId, 'train.jsonl'))).toBeUndefined();
    expect(await deps.objects.head(keys.partManifest(uploadId, 0))).toBeUndefined();
    expect(await deps.objects.head(keys.completed(uploadId, 'train.jsonl'))).toEqual({ size: bytes.length });
  });

  it('publishes a one-chunk 10-byte file as a single small part', async () => {
    // Prepare
    const deps = createDeps();
    const bytes = Buffer.from('{"a":1}\n{}');
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: MiB, checksum: sha256Hex(bytes) });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.plan).toMatchObject({
      partCount: 1,
      batches: [{ batchIndex: 0, firstPart: 1, lastPart: 1 }],
    });
    expect(Buffer.from((await deps.objects.getBytes(keys.completed(uploadId, 'train.jsonl'))) ?? [])).toEqual(
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
    const { uploadId } = await seedUpload(deps, { bytes, chunkSize: 1024, filename: 'model.safetensors' });

    // Act
    const state = await runWorkflow(deps, uploadId);

    // Assess
    expect(state.error).toBeUndefined();
    const plan = state.plan ?? { chunksPerPart: 0, partCount: 0 };
    expect(plan.chunksPerPart * 1024).toBeGreaterThanOrEqual(5 * MiB);
    expect(plan.partCount).toBeLessThanOrEqual(10_000);
    expect(plan.partCount).toBe(3);
    expect(
      Buffer.from((await deps.objects.getBytes(keys.completed(uploadId, 'model.safetensors'))) ?? []).equals(
        bytes,
      ),
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
      fileType: 'dataset',
      detectedBy: 'extension .jsonl',
      code: 'CHECKSUM_MISMATCH',
      reason: `The file's sha256 is ${actual} but init declared checksum ${'a'.repeat(64)}; nothing was published. Re-upload the file or fix the checksum.`,
    });
    const stored = await deps.sessions.get(uploadId);
    expect(stored?.state).toBe('rejected');
    const stagingKey = keys.staging(uploadId, 'train.jsonl');
    expect(stored?.result).toEqual({
      statusCode: 422,
      body: expect.objectContaining({
        success: false,
        state: 'rejected',
        uploadId,
        code: 'CHECKSUM_MISMATCH',
        message: expect.stringContaining(actual),
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
    expect(await deps.objects.head(keys.completed(uploadId, 'train.jsonl'))).toBeUndefined();
    expect(await deps.objects.head(stagingKey)).toEqual({ size: bytes.length });
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
