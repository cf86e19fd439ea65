/**
 * The local stack's expiry sweep: an upload that nobody touches after its expiry still becomes
 * `expired` and gets exactly one `Upload Expired` in `.data/events.jsonl` (on AWS the table's
 * stream does this when TTL deletes the session).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
// 0.0005 h = 1.8 s of session lifetime; a sweep every second.
const ttlMs = 0.0005 * 3600_000;

beforeAll(async () => {
  t = await startTestStack({ SESSION_TTL_HOURS: '0.0005', EXPIRY_SWEEP_SECONDS: '1' });
});
afterAll(async () => {
  await t?.stop();
});

async function eventsOf(
  uploadId: string,
): Promise<{ 'detail-type': string; detail: Record<string, unknown> }[]> {
  const text = await readFile(join(t.dataDir, 'events.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line))
    .filter((event) => event.detail?.uploadId === uploadId);
}

describe('expiry sweep', () => {
  it('expires an upload nobody touches again, with exactly one Upload Expired event', async () => {
    // Prepare: an upload started and then left alone.
    const init = await t.api.init({ filename: 'left.jsonl', totalSize: 2048 });
    const uploadId = init.body.uploadId as string;

    // Act: wait past its expiry for the sweep to find it, then for two more sweeps.
    const deadline = Date.now() + ttlMs + 15_000;
    while ((await eventsOf(uploadId)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const events = await eventsOf(uploadId);
    const status = await t.api.status(uploadId);

    // Assess
    expect(init.status).toBe(200);
    expect(events.map((event) => event['detail-type'])).toEqual(['Upload Expired']);
    expect(events[0]?.detail).toMatchObject({ eventId: `${uploadId}:expired`, state: 'expired', uploadId });
    expect(status.status).toBe(410);
    expect(status.body).toMatchObject({ state: 'expired' });
    expect(await eventsOf(uploadId)).toHaveLength(1);
  });
});
