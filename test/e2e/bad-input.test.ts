/** Every bad input answers 4xx with a JSON `message`, and nothing is stored for it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternBytes } from '../support/bytes.js';
import { startTestStack, type TestStack } from '../support/local-stack.js';

const chunkSize = 1024;
let t: TestStack;
let uploadId: string;

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: String(chunkSize), MAX_UPLOAD_SIZE: String(1024 * 1024) });
  uploadId = (await t.api.init({ filename: 'ok.bin', totalSize: 2500 })).body.uploadId as string;
});
afterAll(async () => {
  await t?.stop();
});

describe('init refuses bad input', () => {
  it.each([
    ['no body', '', 400, /empty/],
    ['invalid JSON', '{"filename": ', 400, /not valid JSON/],
    ['a JSON array', '[]', 400, /JSON object/],
    ['a missing filename', { totalSize: 10 }, 400, /filename/],
    ['a numeric filename', { filename: 5, totalSize: 10 }, 400, /filename/],
    ['a missing totalSize', { filename: 'a' }, 400, /totalSize/],
    ['a zero totalSize', { filename: 'a', totalSize: 0 }, 400, /at least 1 byte/],
    ['a negative totalSize', { filename: 'a', totalSize: -5 }, 400, /totalSize/],
    ['a fractional totalSize', { filename: 'a', totalSize: 1.5 }, 400, /whole number/],
    ['a string totalSize', { filename: 'a', totalSize: '10' }, 400, /totalSize/],
    ['a malformed checksum', { filename: 'a', totalSize: 10, checksum: 'abc' }, 400, /64 hex digits/],
    ['a filename that is only a path', { filename: '../../', totalSize: 10 }, 400, /no usable characters/],
    ['an over-long filename', { filename: 'x'.repeat(1025), totalSize: 10 }, 400, /at most 1024/],
    ['a size above MAX_UPLOAD_SIZE', { filename: 'a', totalSize: 1024 * 1024 + 1 }, 413, /MAX_UPLOAD_SIZE/],
  ])('answers %s', async (_name, body, status, message) => {
    const answer = await t.api.init(body);

    expect(answer.status).toBe(status);
    expect(String(answer.body.message)).toMatch(message);
  });

  it('answers 415 for a non-JSON content type', async () => {
    const response = await fetch(`${t.stack.url}/api/upload/init`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'filename=a',
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toMatch(/application\/json/);
  });

  it('sanitizes a path-traversal filename into a safe key', async () => {
    const answer = await t.api.init({ filename: '../../etc/passwd', totalSize: 10 });

    expect(answer).toMatchObject({ status: 200, body: { filename: 'passwd' } });
  });
});

describe('chunk refuses bad input and stores nothing', () => {
  const chunk = patternBytes(chunkSize);

  type ChunkCase = [
    string,
    { uploadId?: string; chunkIndex: number | string; totalChunks: number },
    Uint8Array | undefined,
    number,
    RegExp,
  ];
  it.each<ChunkCase>([
    ['a missing uploadId', { uploadId: '', chunkIndex: 0, totalChunks: 3 }, chunk, 400, /uploadId/],
    ['a non-numeric chunkIndex', { chunkIndex: 'one', totalChunks: 3 }, chunk, 400, /chunkIndex must be/],
    ['a negative chunkIndex', { chunkIndex: -1, totalChunks: 3 }, chunk, 400, /chunkIndex must be/],
    ['an index out of range', { chunkIndex: 3, totalChunks: 3 }, chunk, 400, /out of range/],
    ['a wrong totalChunks', { chunkIndex: 0, totalChunks: 2 }, chunk, 400, /ceil\(totalSize/],
    ['a zero totalChunks', { chunkIndex: 0, totalChunks: 0 }, chunk, 400, /totalChunks must be at least 1/],
    ['a missing chunk file', { chunkIndex: 0, totalChunks: 3 }, undefined, 400, /no file field "chunk"/],
    [
      'a short middle chunk',
      { chunkIndex: 0, totalChunks: 3 },
      chunk.subarray(0, 10),
      400,
      /exactly 1024 bytes/,
    ],
    ['a wrong-size last chunk', { chunkIndex: 2, totalChunks: 3 }, chunk, 400, /exactly 452 bytes/],
    ['an oversized chunk', { chunkIndex: 0, totalChunks: 3 }, patternBytes(chunkSize + 1), 413, /chunk size/],
    [
      'an unknown upload',
      { uploadId: '00000000-0000-4000-8000-000000000000', chunkIndex: 0, totalChunks: 3 },
      chunk,
      404,
      /not found/,
    ],
  ])('answers %s', async (_name, fields, bytes, status, message) => {
    const answer = await t.api.chunk({ uploadId, ...fields }, bytes);

    expect(answer.status).toBe(status);
    expect(String(answer.body.message)).toMatch(message);
    expect((await t.api.status(uploadId)).body.receivedChunks).toEqual([]);
  });

  it('answers 415 for a JSON body instead of a form', async () => {
    const response = await fetch(`${t.stack.url}/api/upload/chunk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uploadId, chunkIndex: 0 }),
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { message: string }).message).toMatch(/multipart\/form-data/);
  });

  it('answers 400 for a truncated multipart body', async () => {
    const response = await fetch(`${t.stack.url}/api/upload/chunk`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="uploadId"\r\n\r\nabc',
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/multipart/i);
  });

  it('answers 413 for a body above the 10 MB API Gateway limit', async () => {
    const response = await fetch(`${t.stack.url}/api/upload/chunk`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
  });
});

describe('ids in paths', () => {
  it.each(['status', 'complete', 'abort'] as const)(
    '%s answers 404 for unknown and malformed ids',
    async (endpoint) => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', '..%2F..%2Fetc']) {
        const answer = await t.api[endpoint](decodeURIComponent(id));
        expect(answer.status).toBe(404);
        expect(String(answer.body.message)).toMatch(/not found/);
      }
    },
  );

  it('answers 404 for a malformed percent-escape in an id, and for a known path with another method', async () => {
    const malformed = await fetch(`${t.stack.url}/api/upload/status/%E0%A4%A`);
    const wrongMethod = await fetch(`${t.stack.url}/api/upload/init`, { method: 'GET' });

    expect(malformed.status).toBe(404);
    expect(wrongMethod.status).toBe(404);
    expect(((await wrongMethod.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers 404 with a JSON message for an unknown route', async () => {
    const response = await fetch(`${t.stack.url}/api/nothing`);

    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toMatch(/No route/);
  });
});
