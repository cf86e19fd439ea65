/**
 * Property tests: random and malformed requests against the local stack never produce a 5xx,
 * and every answer is JSON with a `message` when it is an error.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.js';

let t: TestStack;
let uploadId: string;

beforeAll(async () => {
  t = await startTestStack({ CHUNK_SIZE: '1024' });
  uploadId = (await t.api.init({ filename: 'p.bin', totalSize: 4000 })).body.uploadId as string;
});
afterAll(async () => {
  await t?.stop();
});

async function expectNo5xx(response: Response) {
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  const body = JSON.parse(text);
  if (response.status >= 400) expect(typeof body.message).toBe('string');
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const fieldValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -5, max: 10 }).map(String),
  fc.constantFrom('', ' ', '1e3', '0x1', 'NaN', '1.5', '99999999999999999999'),
);

describe('random requests never produce a 5xx', () => {
  it('init with arbitrary JSON bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonValue,
          fc.record(
            {
              filename: fc.oneof(fc.string({ maxLength: 300 }), jsonValue),
              totalSize: jsonValue,
              checksum: jsonValue,
            },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          await expectNo5xx(
            await fetch(`${t.stack.url}/api/upload/init`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('init with arbitrary bytes and content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data'),
        async (bytes, contentType) => {
          await expectNo5xx(
            await fetch(`${t.stack.url}/api/upload/init`, {
              method: 'POST',
              headers: { 'content-type': contentType },
              body: bytes,
            }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('chunk with arbitrary form fields and file sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          uploadId: fc.oneof(fc.constant(uploadId), fieldValue),
          chunkIndex: fieldValue,
          totalChunks: fieldValue,
          size: fc.integer({ min: 0, max: 1100 }),
          omit: fc.constantFrom('none', 'uploadId', 'chunkIndex', 'totalChunks', 'chunk'),
        }),
        async ({ omit, size, ...fields }) => {
          const form = new FormData();
          for (const [name, value] of Object.entries(fields)) if (omit !== name) form.set(name, value);
          if (omit !== 'chunk') form.set('chunk', new Blob([new Uint8Array(size)]), 'c');
          await expectNo5xx(await fetch(`${t.stack.url}/api/upload/chunk`, { method: 'POST', body: form }));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('chunk with arbitrary multipart bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 400 }),
        fc.string({ maxLength: 20 }),
        async (body, boundary) => {
          await expectNo5xx(
            await fetch(`${t.stack.url}/api/upload/chunk`, {
              method: 'POST',
              headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
              body,
            }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('status, complete and abort with arbitrary ids', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ minLength: 1, maxLength: 80 }), fc.uuid()),
        fc.constantFrom('status', 'complete', 'abort'),
        async (id, endpoint) => {
          const encoded = encodeURIComponent(id);
          const request =
            endpoint === 'status'
              ? fetch(`${t.stack.url}/api/upload/status/${encoded}`)
              : endpoint === 'complete'
                ? fetch(`${t.stack.url}/api/upload/complete/${encoded}`, { method: 'POST' })
                : fetch(`${t.stack.url}/api/upload/${encoded}`, { method: 'DELETE' });
          await expectNo5xx(await request);
        },
      ),
      { numRuns: 150 },
    );
  });
});
