/**
 * Scanning end to end on the local stack: PII and secrets in a dataset's records, unsafe pickles
 * in a PyTorch checkpoint (quarantined), and malware scanning saying plainly it did not run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFile } from '../analysis/binary/binary-fixtures.js';
import { osSystemPickle, stateDictPickle } from '../analysis/scan/pickle/pickle-fixtures.js';
import { chunksOf } from '../support/api-client.js';
import { chatExample, jsonl } from '../support/datasets.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 256 * 1024;
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: String(chunkSize), COMPLETE_WAIT_SECONDS: '25' });
});
afterAll(async () => {
  await t?.stop();
});

async function upload(filename: string, bytes: Buffer) {
  const uploadId = (await t.api.init({ filename, totalSize: bytes.length })).body.uploadId as string;
  const chunks = chunksOf(bytes, chunkSize);
  for (const [index, chunk] of chunks.entries()) {
    await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunk);
  }
  return { uploadId, done: await t.api.complete(uploadId) };
}

const chatWith = (userText: string) => ({
  messages: [
    { role: 'system', content: 'You are a support assistant.' },
    { role: 'user', content: userText },
    { role: 'assistant', content: 'Thanks, noted.' },
  ],
});

describe('security scanning on the local stack', () => {
  it('reports a Luhn-valid card and a valid SSN, masked, and nothing for invalid look-alikes', async () => {
    const records = Array.from({ length: 10 }, (_, i) => chatExample(i));
    records.push(chatWith('My card is 4111 1111 1111 1111 and my SSN is 536-22-1234.'));
    records.push(chatWith('Order 4111 1111 1111 1112 for customer 000-12-3456.'));
    const { done } = await upload('support.jsonl', Buffer.from(jsonl(records)));

    expect(done.status).toBe(200);
    const scan = (done.body.metadata as { scan: Record<string, { counts?: Record<string, number> }> }).scan;
    expect(scan.pii?.counts).toEqual({ CREDIT_CARD: 1, US_SSN: 1 });
    expect(JSON.stringify(done.body)).not.toContain('4111 1111 1111 1111');
    expect(JSON.stringify(done.body)).not.toContain('536-22-1234');
    expect(scan.virus).toMatchObject({ status: 'not_scanned' });
  });

  it('quarantines a checkpoint whose pickle imports os.system, naming it, and publishes nothing', async () => {
    const checkpoint = zipFile([
      { name: 'archive/data.pkl', data: osSystemPickle() },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    const { uploadId, done } = await upload('model.pt', checkpoint);

    expect(done.status).toBe(422);
    expect(done.body).toMatchObject({ success: false, state: 'quarantined', code: 'QUARANTINED' });
    expect(done.body.threats).toEqual([expect.stringContaining('os.system')]);
    expect(await t.readObject(`completed/${uploadId}/model.pt`)).toBeUndefined();
    expect(await t.readObject(`quarantine/${uploadId}/model.pt`)).toBeDefined();
    const status = await t.api.status(uploadId);
    expect(status.body).toMatchObject({ state: 'quarantined', result: { threats: done.body.threats } });
  });

  it('publishes a checkpoint whose pickle only rebuilds tensors', async () => {
    const checkpoint = zipFile([
      { name: 'archive/data.pkl', data: stateDictPickle() },
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]);
    const { done } = await upload('model.pt', checkpoint);

    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({
      fileType: 'model_artifact',
      scan: { pickle: { status: 'safe' } },
    });
  });
});
