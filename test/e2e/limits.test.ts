/**
 * The limits over HTTP on the local stack: each answers 413 or 429 with a JSON message that names
 * the limit and its value. Throttling has its own stack (`throttle.test.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternBytes } from '../support/bytes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 4096;
const maxRequestBodySize = chunkSize + 64 * 1024;
let t: TestStack;
/** Uploads a test left open, for the next to abort. */
const stillOpen: string[] = [];

beforeAll(async () => {
  t = await startTestStack({
    CHUNK_SIZE: String(chunkSize),
    MAX_REQUEST_BODY_SIZE: String(maxRequestBodySize),
    MAX_CHUNK_COUNT: '8',
    MAX_OPEN_UPLOADS_PER_OWNER: '3',
    MAX_UPLOAD_SIZE: String(1024 * 1024),
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('limits on the local stack', () => {
  it('answers 413 naming MAX_REQUEST_BODY_SIZE and its value for a larger body', async () => {
    const answer = await t.api.init({
      filename: 'a.bin',
      totalSize: 10,
      metadata: { pad: 'x'.repeat(maxRequestBodySize) },
    });

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      limit: 'MAX_REQUEST_BODY_SIZE',
      limitBytes: maxRequestBodySize,
      message: expect.stringContaining(
        `at most ${maxRequestBodySize} bytes are accepted (MAX_REQUEST_BODY_SIZE)`,
      ),
    });
  });

  it('answers 413 naming MAX_CHUNK_COUNT and its value for an upload of more chunks', async () => {
    const answer = await t.api.init({ filename: 'a.bin', totalSize: 8 * chunkSize + 1 });

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ limit: 'MAX_CHUNK_COUNT', maxChunkCount: 8 });
    expect(answer.body.message).toMatch(/more than the maximum of 8 chunks per upload \(MAX_CHUNK_COUNT\)/);
  });

  it('answers 413 naming MAX_UPLOAD_SIZE and its value for a larger upload', async () => {
    const answer = await t.api.init({ filename: 'a.bin', totalSize: 1024 * 1024 + 1 });

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ limit: 'MAX_UPLOAD_SIZE', maxUploadSize: 1024 * 1024 });
  });

  it('answers 429 naming MAX_OPEN_UPLOADS_PER_OWNER and its value, and frees a slot on abort and complete', async () => {
    const open = [];
    for (let i = 0; i < 3; i++)
      open.push((await t.api.init({ filename: `${i}.bin`, totalSize: 10 })).body.uploadId as string);

    const refused = await t.api.init({ filename: 'x.bin', totalSize: 10 });
    await t.api.abort(open[0] as string);
    const afterAbort = await t.api.init({ filename: 'y.bin', totalSize: 10 });
    await t.api.chunk({ uploadId: open[1] as string, chunkIndex: 0, totalChunks: 1 }, patternBytes(10));
    await t.api.complete(open[1] as string);
    const afterComplete = await t.api.init({ filename: 'z.bin', totalSize: 10 });

    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: 'MAX_OPEN_UPLOADS_PER_OWNER',
      maxOpenUploadsPerOwner: 3,
      message: expect.stringMatching(/at most 3 may be open at once \(MAX_OPEN_UPLOADS_PER_OWNER\)/),
    });
    expect([afterAbort.status, afterComplete.status]).toEqual([200, 200]);
    stillOpen.push(
      open[2] as string,
      afterAbort.body.uploadId as string,
      afterComplete.body.uploadId as string,
    );
  });

  it('lets exactly the limit through when inits race on the DynamoDB emulator', async () => {
    for (const uploadId of stillOpen) await t.api.abort(uploadId);

    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.api.init({ filename: `race-${i}.bin`, totalSize: 10 })),
    );

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array(3).fill(200), ...Array(9).fill(429)]);
  });
});
