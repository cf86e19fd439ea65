/**
 * End-to-end over HTTP against the local stack: the real handlers, dynalite and s3rver through
 * the real SDK clients, and the synthesized state machine run by aws-local-stepfunctions.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf, inParallel } from '../support/api-client.js';
import { digestOf, patternBytes } from '../support/bytes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 64 * 1024;
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({
    CHUNK_SIZE: String(chunkSize),
    COMPLETE_WAIT_SECONDS: '20',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
});
afterAll(async () => {
  await t?.stop();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function shuffled<T>(items: T[], seed = 42): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('upload flow on the local stack', () => {
  it('answers the old service curl example with an uploadId and chunkSize', async () => {
    const init = await t.api.init({ filename: 'test.jsonl', totalSize: 1024 });

    expect(init.status).toBe(200);
    expect(init.body).toMatchObject({ chunkSize, totalChunks: 1 });
    expect(init.body.uploadId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('assembles a file sent shuffled over 6 connections with duplicates into identical bytes', async () => {
    const file = patternBytes(6 * 1024 * 1024 + 12_345, 3);
    const chunks = chunksOf(file, chunkSize);
    const init = await t.api.init({
      filename: 'shards.dat',
      totalSize: file.length,
      checksum: sha256(file),
    });
    const uploadId = init.body.uploadId as string;
    const order = shuffled([...chunks.keys(), 0, 5, 17, chunks.length - 1]);

    await inParallel(order, 6, async (index) => {
      const sent = await t.api.chunk(
        { uploadId, chunkIndex: index, totalChunks: chunks.length },
        chunks[index],
      );
      expect(sent.status).toBe(200);
      expect(sent.body.success).toBe(true);
    });
    const status = await t.api.status(uploadId);
    const done = await t.api.complete(uploadId);

    expect(status.body).toMatchObject({
      receivedChunks: [...chunks.keys()],
      isComplete: true,
      state: 'uploading',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      success: true,
      state: 'completed',
      downstreamJobId: null,
      filepath: `s3://${t.stack.bucketName}/completed/${uploadId}/shards.dat`,
      metadata: {
        uploadId,
        filename: 'shards.dat',
        size: file.length,
        checksum: sha256(file),
        fileType: 'other',
      },
    });
    expect(digestOf(await t.readObject(`completed/${uploadId}/shards.dat`))).toBe(digestOf(file));
    expect(await t.readObject(`uploads/${uploadId}/0.chunk`)).toBeUndefined();
    const final = await t.api.status(uploadId);
    expect(final.body).toMatchObject({ state: 'completed', isComplete: true, result: done.body });
  });

  it('lists exactly the received indices of a partial upload', async () => {
    const file = patternBytes(10 * chunkSize, 4);
    const chunks = chunksOf(file, chunkSize);
    const uploadId = (await t.api.init({ filename: 'p.bin', totalSize: file.length })).body
      .uploadId as string;
    for (const index of [9, 3, 4])
      await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: 10 }, chunks[index]);

    const status = await t.api.status(uploadId);

    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      uploadId,
      totalChunks: 10,
      receivedChunks: [3, 4, 9],
      isComplete: false,
    });
  });

  it('answers 409 for different bytes at a stored index and keeps the stored chunk', async () => {
    const file = patternBytes(2 * chunkSize, 5);
    const [first] = chunksOf(file, chunkSize);
    const uploadId = (await t.api.init({ filename: 'c.bin', totalSize: file.length })).body
      .uploadId as string;
    await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 2 }, first);

    const conflict = await t.api.chunk(
      { uploadId, chunkIndex: 0, totalChunks: 2 },
      patternBytes(chunkSize, 6),
    );
    const again = await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 2 }, first);

    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/already stored with different bytes/);
    expect(again).toMatchObject({ status: 200, body: { receivedChunks: 1, duplicate: true } });
    expect(digestOf(await t.readObject(`uploads/${uploadId}/0.chunk`))).toBe(digestOf(first));
  });

  it('keeps one winner when two different chunks for one index race', async () => {
    const uploadId = (await t.api.init({ filename: 'r.bin', totalSize: chunkSize })).body.uploadId as string;
    const a = patternBytes(chunkSize, 7);
    const b = patternBytes(chunkSize, 8);

    const answers = await Promise.all([
      t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 1 }, a),
      t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 1 }, b),
    ]);

    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
    const winner = answers[0]?.status === 200 ? a : b;
    expect(digestOf(await t.readObject(`uploads/${uploadId}/0.chunk`))).toBe(digestOf(winner));
  });

  it('runs the workflow once for ten racing completes and answers them all alike', async () => {
    const file = patternBytes(3 * chunkSize, 9);
    const chunks = chunksOf(file, chunkSize);
    const uploadId = (await t.api.init({ filename: 'race.dat', totalSize: file.length })).body
      .uploadId as string;
    for (const [index, bytes] of chunks.entries())
      await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: 3 }, bytes);

    const answers = await Promise.all(Array.from({ length: 10 }, () => t.api.complete(uploadId)));
    const later = await t.api.complete(uploadId);

    expect(answers.map((x) => x.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((x) => JSON.stringify(x.body))).size).toBe(1);
    expect(later.body).toEqual(answers[0]?.body);
    const late = await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 3 }, chunks[0]);
    expect(late.status).toBe(409);
  });

  it('rejects a checksum mismatch with 422 and publishes nothing', async () => {
    const file = patternBytes(2 * chunkSize + 10, 10);
    const wrong = 'f'.repeat(64);
    const uploadId = (await t.api.init({ filename: 'bad.dat', totalSize: file.length, checksum: wrong })).body
      .uploadId as string;
    for (const [index, bytes] of chunksOf(file, chunkSize).entries()) {
      await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: 3 }, bytes);
    }

    const done = await t.api.complete(uploadId);

    expect(done.status).toBe(422);
    expect(done.body).toMatchObject({ success: false, state: 'rejected' });
    expect(String(done.body.message)).toContain(wrong);
    expect(String(done.body.message)).toContain(sha256(file));
    expect(await t.readObject(`completed/${uploadId}/bad.dat`)).toBeUndefined();
    expect((await t.api.status(uploadId)).body).toMatchObject({ state: 'rejected', result: done.body });
  });

  it('answers 400 naming the missing chunks', async () => {
    const uploadId = (await t.api.init({ filename: 'm.bin', totalSize: 3 * chunkSize })).body
      .uploadId as string;
    await t.api.chunk({ uploadId, chunkIndex: 1, totalChunks: 3 }, patternBytes(chunkSize));

    const done = await t.api.complete(uploadId);

    expect(done.status).toBe(400);
    expect(done.body).toMatchObject({ code: 'MISSING_CHUNKS', missingChunks: [0, 2], missingCount: 2 });
  });

  it('aborts an upload: chunks deleted, later calls answer 410', async () => {
    const uploadId = (await t.api.init({ filename: 'a.bin', totalSize: 2 * chunkSize })).body
      .uploadId as string;
    await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 2 }, patternBytes(chunkSize));

    const aborted = await t.api.abort(uploadId);

    expect(aborted).toMatchObject({ status: 200, body: { state: 'aborted', deletedChunks: 1 } });
    expect(await t.readObject(`uploads/${uploadId}/0.chunk`)).toBeUndefined();
    expect((await t.api.status(uploadId)).status).toBe(410);
    expect(
      (await t.api.chunk({ uploadId, chunkIndex: 1, totalChunks: 2 }, patternBytes(chunkSize))).status,
    ).toBe(410);
    expect((await t.api.complete(uploadId)).status).toBe(410);
  });
});
