/**
 * Dataset intelligence end to end: uploads through the local stack's HTTP API, completed by
 * the synthesized state machine, whose AnalyzeFile step validates and describes the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf } from '../support/api-client.js';
import { chatExample, chatJsonl, csvRows, jsonl, safetensors } from '../support/datasets.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 256 * 1024;
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: String(chunkSize), COMPLETE_WAIT_SECONDS: '25' });
});
afterAll(async () => {
  await t?.stop();
});

async function upload(filename: string, content: string | Buffer, init: Record<string, unknown> = {}) {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const started = await t.api.init({ filename, totalSize: bytes.length, ...init });
  const uploadId = started.body.uploadId as string;
  const chunks = chunksOf(bytes, chunkSize);
  for (const [index, chunk] of chunks.entries()) {
    await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunk);
  }
  return { uploadId, done: await t.api.complete(uploadId) };
}

describe('dataset intelligence on the local stack', () => {
  it('rejects a chat JSONL whose line 3 is not JSON, naming the line, and publishes nothing', async () => {
    const lines = chatJsonl(5).split('\n');
    lines[2] = '{"messages": [{"role": "user", "content": "unterminated';
    const { uploadId, done } = await upload('chat.jsonl', lines.join('\n'));

    expect(done.status).toBe(422);
    expect(done.body).toMatchObject({
      success: false,
      state: 'rejected',
      code: 'DATASET_INVALID',
      errorCount: 1,
    });
    expect(done.body.errors).toEqual([expect.objectContaining({ line: 3, code: 'INVALID_JSON' })]);
    expect(String(done.body.message)).toMatch(/line 3/);
    expect(await t.readObject(`completed/${uploadId}/chat.jsonl`)).toBeUndefined();
    expect(await t.readObject(`staging/${uploadId}/chat.jsonl`)).toBeDefined();
    const report = JSON.parse(
      Buffer.from((await t.readObject(`staging/${uploadId}/.analysis.json`)) ?? []).toString(),
    );
    expect(report.findings.errors[0]).toMatchObject({ line: 3, code: 'INVALID_JSON' });
    expect(done.body.reportPath).toBe(`s3://${t.stack.bucketName}/staging/${uploadId}/.analysis.json`);
  });

  it('rejects a chat JSONL whose line 2 has no assistant message, naming line and problem', async () => {
    const records = Array.from({ length: 12 }, (_, i) => chatExample(i));
    records[1] = { messages: [{ role: 'user', content: 'Hello?' }] };
    const { done } = await upload('chat.jsonl', jsonl(records));

    expect(done.status).toBe(422);
    expect(done.body.errors).toEqual([
      expect.objectContaining({ line: 2, code: 'MISSING_ASSISTANT_MESSAGE' }),
    ]);
  });

  it('describes a 999-row CSV: record count and column names', async () => {
    const { done } = await upload('rows.csv', csvRows(999));

    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({ fileType: 'dataset', recordCount: 999 });
    const fields = (done.body.metadata as { dataset: { fields: { name: string }[] } }).dataset.fields;
    expect(fields.map((f) => f.name)).toEqual(['id', 'text', 'label']);
  });

  it('describes a safetensors file as a model artifact with its parameter count', async () => {
    const file = safetensors({
      'layer.weight': { dtype: 'F32', shape: [64, 32] },
      'layer.bias': { dtype: 'F32', shape: [64] },
    });
    const { done } = await upload('model.safetensors', file);

    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({
      fileType: 'model_artifact',
      artifact: { format: 'safetensors', parameterCount: 64 * 32 + 64, tensorCount: 2 },
    });
  });

  it('accepts a valid 40,000-example chat file with correct counts and lineage', async () => {
    const { uploadId, done } = await upload('train.jsonl', chatJsonl(40_000), {
      purpose: 'fine-tune',
      metadata: { project: 'support-bot', version: 3 },
    });

    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({
      recordCount: 40_000,
      schemaFamily: 'chat',
      dataset: { format: 'jsonl', chat: { messagesPerExample: { min: 3, max: 3, total: 120_000 } } },
      lineage: {
        owner: 'local',
        purpose: 'fine-tune',
        clientMetadata: { project: 'support-bot', version: 3 },
      },
      reportPath: `s3://${t.stack.bucketName}/completed/${uploadId}/.analysis.json`,
    });
    expect(await t.readObject(`completed/${uploadId}/.analysis.json`)).toBeDefined();
  });

  it('refuses a .jsonl whose content is CSV, saying so', async () => {
    const { done } = await upload('train.jsonl', csvRows(20));

    expect(done.status).toBe(422);
    expect(done.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'FORMAT_MISMATCH' })]),
    );
  });

  it('holds a dataset to the schema family init asked for', async () => {
    const records = Array.from({ length: 12 }, (_, i) => ({ prompt: `p${i}`, completion: `c${i}` }));
    const { done } = await upload('pc.jsonl', jsonl(records), { schema: 'chat' });

    expect(done.status).toBe(422);
    expect(done.body.errorCount).toBe(12);
  });
});
