/** Sessions expire after SESSION_TTL_HOURS: every endpoint then answers 410. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternBytes } from '../support/bytes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
// 0.0005 h = 1.8 s: long enough to start, short enough to wait for.
const ttlMs = 0.0005 * 3600_000;

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: '1024', SESSION_TTL_HOURS: '0.0005' });
});
afterAll(async () => {
  await t?.stop();
});

describe('session expiry', () => {
  it('answers 410 on every endpoint once the session lifetime has passed', async () => {
    const uploadId = (await t.api.init({ filename: 'e.bin', totalSize: 2048 })).body.uploadId as string;
    const accepted = await t.api.chunk({ uploadId, chunkIndex: 0, totalChunks: 2 }, patternBytes(1024));

    await new Promise((resolve) => setTimeout(resolve, ttlMs + 200));
    const chunk = await t.api.chunk({ uploadId, chunkIndex: 1, totalChunks: 2 }, patternBytes(1024));
    const status = await t.api.status(uploadId);
    const complete = await t.api.complete(uploadId);

    expect(accepted.status).toBe(200);
    expect(chunk.status).toBe(410);
    expect(chunk.body).toMatchObject({ state: 'expired' });
    expect(String(chunk.body.message)).toMatch(/expired at/);
    expect(status.status).toBe(410);
    expect(complete.status).toBe(410);
  });
});
