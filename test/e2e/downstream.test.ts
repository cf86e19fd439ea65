/**
 * Events and downstream notifications end to end on the local stack: the synthesized state
 * machine's NotifyDownstream step starts a job in the local fine-tuning queue
 * (`fine-tuning-jobs.jsonl`), delivers the signed curation webhook to a receiver that fails twice
 * on purpose, and every outcome appends its event to `events.jsonl`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFile } from '../analysis/binary/binary-fixtures.js';
import { osSystemPickle } from '../analysis/scan/pickle/pickle-fixtures.js';
import { chunksOf } from '../support/api-client.js';
import { chatJsonl } from '../support/datasets.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const chunkSize = 256 * 1024;
const secret = 'e2e-curation-secret';
let t: TestStack;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(secret, 2);
  t = await startTestStack({
    CHUNK_SIZE: String(chunkSize),
    COMPLETE_WAIT_SECONDS: '25',
    CURATION_WEBHOOK_URL: receiver.url,
    CURATION_WEBHOOK_SECRET: secret,
    CURATION_WEBHOOK_RETRY_BASE_MS: '50',
  });
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
});

async function upload(filename: string, content: string | Buffer) {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const started = await t.api.init({ filename, totalSize: bytes.length });
  const uploadId = started.body.uploadId as string;
  const chunks = chunksOf(bytes, chunkSize);
  for (const [index, chunk] of chunks.entries()) {
    await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunk);
  }
  return { uploadId, done: await t.api.complete(uploadId) };
}

async function jsonLines(name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(t.dataDir, name), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const jobsOf = async (uploadId: string) =>
  (await jsonLines('fine-tuning-jobs.jsonl')).filter((job) => job.uploadId === uploadId);

const eventsOf = async (uploadId: string) =>
  (await jsonLines('events.jsonl')).filter(
    (event) => (event.detail as { uploadId?: string }).uploadId === uploadId,
  );

const deliveriesOf = (uploadId: string) =>
  receiver.deliveries.filter(
    (delivery) => delivery.headers['idempotency-key'] === `${uploadId}:data-curation`,
  );

describe('downstream notifications on the local stack', () => {
  it('starts a fine-tuning job for a clean chat dataset, delivers the webhook once, and appends Upload Completed', async () => {
    const { uploadId, done } = await upload('train.jsonl', chatJsonl(20));

    expect(done.status).toBe(200);
    const jobId = done.body.downstreamJobId;
    expect(jobId).toEqual(expect.any(String));
    expect(await jobsOf(uploadId)).toEqual([
      expect.objectContaining({
        jobId,
        uploadId,
        schemaFamily: 'chat',
        recordCount: 20,
        s3Uri: `s3://${t.stack.bucketName}/completed/${uploadId}/train.jsonl`,
      }),
    ]);
    const events = await eventsOf(uploadId);
    expect(events.map((event) => event['detail-type'])).toEqual(['Upload Completed']);
    expect(events[0]).toMatchObject({
      source: 'resumable-upload',
      detail: {
        version: '1',
        state: 'completed',
        key: `completed/${uploadId}/train.jsonl`,
        schemaFamily: 'chat',
        recordCount: 20,
        downstreamJobId: jobId,
      },
    });
    // The receiver failed twice on purpose: three signed attempts, exactly one accepted.
    expect(deliveriesOf(uploadId).map((delivery) => delivery.status)).toEqual([503, 503, 200]);
    expect(deliveriesOf(uploadId).every((delivery) => delivery.validSignature)).toBe(true);
    expect(receiver.accepted.get(`${uploadId}:data-curation`)).toBe('cur-1');
    expect(done.body.notifications).toEqual([
      expect.objectContaining({ target: 'fine-tuning', status: 'started', id: jobId }),
      expect.objectContaining({ target: 'data-curation', status: 'delivered', id: 'cur-1' }),
    ]);
  });

  it('re-sends nothing twice: notify answers the same job and delivery', async () => {
    const { uploadId, done } = await upload('again.jsonl', chatJsonl(12));
    const deliveries = deliveriesOf(uploadId).length;

    const resent = await t.api.notify(uploadId);

    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ success: true, downstreamJobId: done.body.downstreamJobId });
    expect(await jobsOf(uploadId)).toHaveLength(1);
    expect(deliveriesOf(uploadId)).toHaveLength(deliveries);
  });

  it('keeps an upload completed when the webhook fails after its retries; notify re-sends it once', async () => {
    receiver.refuseNext(4);
    const { uploadId, done } = await upload('late.jsonl', chatJsonl(12));

    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'completed', downstreamJobId: expect.any(String) });
    expect(done.body.notifications).toEqual([
      expect.objectContaining({ target: 'fine-tuning', status: 'started' }),
      expect.objectContaining({
        target: 'data-curation',
        status: 'failed',
        error: expect.stringMatching(/4 attempts/),
      }),
    ]);
    expect((await eventsOf(uploadId)).map((event) => event['detail-type'])).toEqual([
      'Upload Completed',
      'Notification Failed',
    ]);

    const resent = await t.api.notify(uploadId);

    expect(resent.body).toMatchObject({
      success: true,
      downstreamJobId: done.body.downstreamJobId,
      notifications: [
        expect.objectContaining({ target: 'fine-tuning', status: 'started' }),
        expect.objectContaining({ target: 'data-curation', status: 'delivered' }),
      ],
    });
    expect(await jobsOf(uploadId)).toHaveLength(1);
    expect(deliveriesOf(uploadId).filter((delivery) => delivery.status === 200)).toHaveLength(1);
    expect((await t.api.status(uploadId)).body.result).toMatchObject({
      notifications: [expect.anything(), expect.objectContaining({ status: 'delivered' })],
    });
  });

  it('starts no job for a rejected chat dataset and appends Upload Rejected', async () => {
    const lines = chatJsonl(5).split('\n');
    lines[2] = '{"messages": [';
    const { uploadId, done } = await upload('bad.jsonl', lines.join('\n'));

    expect(done.status).toBe(422);
    expect(done.body.downstreamJobId).toBeNull();
    expect(await jobsOf(uploadId)).toEqual([]);
    expect(deliveriesOf(uploadId)).toEqual([]);
    expect((await eventsOf(uploadId)).map((event) => event['detail-type'])).toEqual(['Upload Rejected']);
    expect((await t.api.notify(uploadId)).status).toBe(409);
  });

  it('starts no job for a quarantined checkpoint and appends Upload Quarantined', async () => {
    const checkpoint = zipFile([
      { name: 'archive/data.pkl', data: osSystemPickle() },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    const { uploadId, done } = await upload('model.pt', checkpoint);

    expect(done.body).toMatchObject({ state: 'quarantined', downstreamJobId: null });
    expect(await jobsOf(uploadId)).toEqual([]);
    expect(deliveriesOf(uploadId)).toEqual([]);
    const events = await eventsOf(uploadId);
    expect(events.map((event) => event['detail-type'])).toEqual(['Upload Quarantined']);
    expect(events[0]).toMatchObject({
      detail: { findings: { threats: [expect.stringContaining('os.system')] } },
    });
  });

  it('appends Upload Aborted for an aborted upload', async () => {
    const started = await t.api.init({ filename: 'x.bin', totalSize: 10 });
    const uploadId = started.body.uploadId as string;

    expect((await t.api.abort(uploadId)).status).toBe(200);
    expect((await eventsOf(uploadId)).map((event) => event['detail-type'])).toEqual(['Upload Aborted']);
  });
});
