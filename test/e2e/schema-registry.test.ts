/**
 * A team's own JSON Schema end to end: registered over HTTP on the local stack, named by `init`
 * as `custom:<name>`, and checked record by record by the synthesized state machine's AnalyzeFile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunksOf } from '../support/api-client.js';
import { jsonl } from '../support/datasets.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 1024;
let t: TestStack;

const qa = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['question', 'answer'],
  properties: { question: { type: 'string' }, answer: { type: 'string' } },
};
const pairs = Array.from({ length: 12 }, (_, i) => ({ question: `Question ${i}?`, answer: `Answer ${i}.` }));

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: String(chunkSize), COMPLETE_WAIT_SECONDS: '25' });
  const registered = await t.api.putSchema('qa', qa);
  if (registered.status !== 200) throw new Error(`registering qa: ${JSON.stringify(registered)}`);
});
afterAll(async () => {
  await t?.stop();
});

async function upload(filename: string, content: string, init: Record<string, unknown>) {
  const bytes = Buffer.from(content);
  const started = await t.api.init({ filename, totalSize: bytes.length, ...init });
  expect(started.status).toBe(200);
  const uploadId = started.body.uploadId as string;
  const chunks = chunksOf(bytes, chunkSize);
  for (const [index, chunk] of chunks.entries()) {
    await t.api.chunk({ uploadId, chunkIndex: index, totalChunks: chunks.length }, chunk);
  }
  return { uploadId, done: await t.api.complete(uploadId) };
}

describe('schema registry on the local stack', () => {
  it('answers the registered document and its version, and the same again for the same document', async () => {
    const read = await t.api.getSchema('qa');
    const again = await t.api.putSchema('qa', JSON.stringify(qa, null, 4));

    expect(read).toMatchObject({
      status: 200,
      body: { name: 'qa', schema: qa, version: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(again).toEqual(read);
    expect(await t.readObject('schemas/qa.json')).toBeDefined();
  });

  it('refuses another document under the same name with 409, and an unknown name with 404', async () => {
    const conflict = await t.api.putSchema('qa', { ...qa, required: ['question'] });
    const unknown = await t.api.getSchema('unknown');

    expect(conflict).toMatchObject({ status: 409, body: { code: 'SCHEMA_CONFLICT', name: 'qa' } });
    expect(conflict.body.message).toMatch(/immutable/);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'SCHEMA_NOT_FOUND' } });
  });

  it('refuses a schema Ajv cannot compile with 400 naming the error', async () => {
    const broken = await t.api.putSchema('broken', { type: 'object', required: 'question' });

    expect(broken).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'body' } });
    expect(broken.body.message).toMatch(
      /does not compile with Ajv: schema is invalid: .*required must be array/,
    );
  });

  it('refuses a pattern with a backreference with 400 naming the pattern and how to rewrite it', async () => {
    const refused = await t.api.putSchema('doubled', {
      type: 'object',
      properties: { word: { type: 'string', pattern: '^(\\w+) \\1$' } },
    });

    expect(refused).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', field: 'body', pattern: '^(\\w+) \\1$' },
    });
    expect(refused.body.message).toContain('The pattern "^(\\\\w+) \\\\1$" uses a backreference (\\1)');
    expect(refused.body.message).toMatch(/Rewrite the pattern without them/);
    expect((await t.api.getSchema('doubled')).status).toBe(404);
  });

  it('refuses a pattern whose compiled program is above the size cap with 400 saying how to shrink it', async () => {
    const pattern = `^(?:${'[a-z]{0,1000}'.repeat(5)})*$`;

    const refused = await t.api.putSchema('slow', { type: 'string', pattern });

    expect(refused).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', field: 'body', pattern },
    });
    expect(refused.body.message).toContain('compiles to about 10004 RE2 instructions, more than the 600');
    expect(refused.body.message).toMatch(/Use smaller counted repeats/);
    expect((await t.api.getSchema('slow')).status).toBe(404);
  });

  it('answers 200 to one and 409 to the other of two documents sent at once for a new name', async () => {
    const first = { ...qa, required: ['question'] };
    const second = { ...qa, required: ['answer'] };

    const answers = await Promise.all([t.api.putSchema('raced', first), t.api.putSchema('raced', second)]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const winner = answers.find((answer) => answer.status === 200);
    const loser = answers.find((answer) => answer.status === 409);
    expect(loser?.body).toMatchObject({ code: 'SCHEMA_CONFLICT', version: winner?.body.version });
    expect(await t.api.getSchema('raced')).toEqual(winner);
  });

  it('rejects a record whose long "aaaa...!" cannot match ^(a+)+$, naming its line, without stalling', async () => {
    const ids = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', pattern: '^(a+)+$' } },
    };
    expect((await t.api.putSchema('ids', ids)).status).toBe(200);

    const records = [{ id: 'aaa' }, { id: `${'a'.repeat(20_000)}!` }];
    const { done } = await upload('ids.jsonl', jsonl(records), { schema: 'custom:ids' });

    expect(done.status).toBe(422);
    expect(done.body.errors).toEqual([
      expect.objectContaining({ line: 2, field: 'id', code: 'SCHEMA_VIOLATION' }),
    ]);
  });

  it('refuses init naming a schema nobody registered, saying how to register it', async () => {
    const started = await t.api.init({ filename: 'qa.jsonl', totalSize: 10, schema: 'custom:nope' });

    expect(started).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', field: 'schema' } });
    expect(started.body.message).toContain('register it with PUT /api/schemas/nope');
  });

  it('rejects a JSONL whose line 2 lacks the answer the schema requires, naming line and field', async () => {
    const records: unknown[] = [...pairs];
    records[1] = { question: 'Where is the answer?' };
    const { uploadId, done } = await upload('qa.jsonl', jsonl(records), { schema: 'custom:qa' });

    expect(done.status).toBe(422);
    expect(done.body).toMatchObject({ state: 'rejected', code: 'DATASET_INVALID', errorCount: 1 });
    expect(done.body.errors).toEqual([
      expect.objectContaining({ line: 2, field: 'answer', code: 'SCHEMA_VIOLATION' }),
    ]);
    expect(await t.readObject(`completed/${uploadId}/qa.jsonl`)).toBeUndefined();
  });

  it('accepts a conforming file and describes its family as custom:qa', async () => {
    const { done } = await upload('qa.jsonl', jsonl(pairs), { schema: 'custom:qa' });

    expect(done.status).toBe(200);
    expect(done.body.metadata).toMatchObject({
      fileType: 'dataset',
      recordCount: 12,
      schemaFamily: 'custom:qa',
    });
  });
});
