/**
 * The one behaviour every `ObjectStore` must have, run against the in-memory store and the S3
 * adapter on s3rver (`object-store.test.ts`). Each test uses its own key prefix, so a suite can
 * share one bucket. Rules that s3rver does not enforce (5 MiB parts, part ETags, ...) are not
 * here: they are tested on the in-memory store and with a mocked client.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../lambdas/core/ports.js';
import { digestOf as digest, patternBytes } from '../support/bytes.js';

const MiB = 1024 * 1024;

export interface ObjectStoreContractOptions {
  /** Whether AbortMultipartUpload works (s3rver answers 405). @default true */
  supportsAbortMultipartUpload?: boolean;
}

export function describeObjectStoreContract(
  name: string,
  factory: () => ObjectStore | Promise<ObjectStore>,
  options: ObjectStoreContractOptions = {},
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let objects: ObjectStore;
    beforeAll(async () => {
      objects = await factory();
    });
    const key = (name: string): string => `contract/${randomUUID()}/${name}`;

    describe('put and read', () => {
      it('reads back the exact bytes it stored', async () => {
        const bytes = patternBytes(64 * 1024);
        const at = key('data.bin');

        await objects.put(at, bytes, 'application/octet-stream');

        expect(digest(await objects.getBytes(at))).toBe(digest(bytes));
        expect(digest(await buffer(await objects.getStream(at)))).toBe(digest(bytes));
        expect(await objects.head(at)).toEqual({ size: bytes.length });
      });

      it('stores a string body as UTF-8', async () => {
        const at = key('manifest.json');

        await objects.put(at, '{"name":"café"}', 'application/json');

        expect(Buffer.from((await objects.getBytes(at)) as Uint8Array).toString('utf8')).toBe(
          '{"name":"café"}',
        );
        expect(await objects.head(at)).toEqual({ size: Buffer.byteLength('{"name":"café"}') });
      });

      it('stores an empty object', async () => {
        const at = key('empty');

        await objects.put(at, new Uint8Array());

        expect(await objects.getBytes(at)).toEqual(new Uint8Array());
        expect(await objects.head(at)).toEqual({ size: 0 });
      });

      it('streams an inclusive byte range', async () => {
        const bytes = patternBytes(10_000);
        const at = key('ranged.bin');
        await objects.put(at, bytes);

        const range = await buffer(await objects.getStream(at, { start: 100, end: 1099 }));

        expect(digest(range)).toBe(digest(bytes.subarray(100, 1100)));
      });

      it('clips a range that ends past the object, as HTTP does', async () => {
        const bytes = patternBytes(1000);
        const at = key('short.bin');
        await objects.put(at, bytes);

        const range = await buffer(await objects.getStream(at, { start: 900, end: 4999 }));

        expect(range).toEqual(Buffer.from(bytes.subarray(900)));
      });

      it('answers undefined from getBytes and head for a missing key', async () => {
        expect(await objects.getBytes(key('missing'))).toBeUndefined();
        expect(await objects.head(key('missing'))).toBeUndefined();
      });

      it('rejects getStream for a missing key', async () => {
        await expect(objects.getStream(key('missing'))).rejects.toThrow();
      });

      it('keeps stored bytes apart from the buffers callers pass in and get back', async () => {
        const bytes = patternBytes(100);
        const original = new Uint8Array(bytes);
        const at = key('copied.bin');
        await objects.put(at, bytes);
        bytes.fill(0);
        const read = (await objects.getBytes(at)) as Uint8Array;
        read.fill(0);

        expect(await objects.getBytes(at)).toEqual(original);
      });

      it('replaces an object put again at the same key', async () => {
        const at = key('replaced');
        await objects.put(at, 'first');

        await objects.put(at, 'second');

        expect(Buffer.from((await objects.getBytes(at)) as Uint8Array).toString()).toBe('second');
      });
    });

    describe('putIfAbsent', () => {
      const text = async (at: string) => Buffer.from((await objects.getBytes(at)) as Uint8Array).toString();

      it('creates a missing object, and leaves an existing one unchanged', async () => {
        const at = key('claimed.json');

        const created = await objects.putIfAbsent(at, '{"n":1}', 'application/json');
        const again = await objects.putIfAbsent(at, '{"n":2}', 'application/json');

        expect([created, again]).toEqual([true, false]);
        expect(await text(at)).toBe('{"n":1}');
      });

      it('lets exactly one of concurrent calls for one key create it, and stores that one', async () => {
        const at = key('raced.json');
        const bodies = Array.from({ length: 8 }, (_, n) => `{"writer":${n}}`);

        const created = await Promise.all(bodies.map((body) => objects.putIfAbsent(at, body)));

        expect(created.filter(Boolean)).toHaveLength(1);
        expect(await text(at)).toBe(bodies[created.indexOf(true)]);
      });
    });

    describe('multipart upload', () => {
      it('reassembles two 5 MiB parts and a small last part into the exact bytes', async () => {
        const bytes = patternBytes(10 * MiB + 12_345, 7);
        const at = key('assembled.bin');
        const bounds = [
          [0, 5 * MiB],
          [5 * MiB, 10 * MiB],
          [10 * MiB, bytes.length],
        ] as const;
        const multipartUploadId = await objects.createMultipartUpload(at, 'application/octet-stream');

        // Uploaded concurrently and completed in part order, as assembly does.
        const etags = await Promise.all(
          bounds.map(([start, end], position) =>
            objects.uploadPart({
              key: at,
              multipartUploadId,
              partNumber: position + 1,
              body: Readable.from([Buffer.from(bytes.subarray(start, end))]),
              contentLength: end - start,
            }),
          ),
        );
        await objects.completeMultipartUpload(
          at,
          multipartUploadId,
          etags.map((etag, position) => ({ partNumber: position + 1, etag })),
        );

        expect(await objects.head(at)).toEqual({ size: bytes.length });
        expect(digest(await objects.getBytes(at))).toBe(digest(bytes));
      });

      it('takes a part body streamed in many small pieces', async () => {
        const bytes = patternBytes(256 * 1024, 3);
        const at = key('pieces.bin');
        const multipartUploadId = await objects.createMultipartUpload(at);
        const pieces = Array.from({ length: 64 }, (_, n) =>
          Buffer.from(bytes.subarray(n * 4096, (n + 1) * 4096)),
        );

        const etag = await objects.uploadPart({
          key: at,
          multipartUploadId,
          partNumber: 1,
          body: Readable.from(pieces),
          contentLength: bytes.length,
        });
        await objects.completeMultipartUpload(at, multipartUploadId, [{ partNumber: 1, etag }]);

        expect(digest(await objects.getBytes(at))).toBe(digest(bytes));
      });

      it('rejects a part body shorter or longer than its contentLength, instead of waiting for bytes', async () => {
        const at = key('mislabelled.bin');
        const multipartUploadId = await objects.createMultipartUpload(at);
        const part = (bytes: number) =>
          objects.uploadPart({
            key: at,
            multipartUploadId,
            partNumber: 1,
            body: Readable.from([Buffer.alloc(bytes)]),
            contentLength: 10,
          });

        await expect(part(9)).rejects.toMatchObject({ name: 'IncompleteBody' });
        await expect(part(11)).rejects.toMatchObject({ name: 'IncompleteBody' });
      });

      it('rejects a part whose body stream fails midway, with the stream error', async () => {
        const at = key('failing.bin');
        const multipartUploadId = await objects.createMultipartUpload(at);
        const body = new PassThrough();
        const uploading = objects.uploadPart({
          key: at,
          multipartUploadId,
          partNumber: 1,
          body,
          contentLength: 10,
        });
        body.write(Buffer.alloc(4));
        setTimeout(() => body.destroy(new Error('client went away')), 20);

        await expect(uploading).rejects.toThrow('client went away');
      });

      it.skipIf(options.supportsAbortMultipartUpload === false)(
        'aborts an upload, leaving no object behind',
        async () => {
          const at = key('aborted.bin');
          const multipartUploadId = await objects.createMultipartUpload(at);
          await objects.uploadPart({
            key: at,
            multipartUploadId,
            partNumber: 1,
            body: Readable.from([Buffer.from('part')]),
            contentLength: 4,
          });

          await objects.abortMultipartUpload(at, multipartUploadId);

          expect(await objects.head(at)).toBeUndefined();
        },
      );
    });

    describe('copy', () => {
      it('copies an object server-side and keeps the source', async () => {
        const bytes = patternBytes(300_000, 5);
        const from = key('source dir/file name.bin');
        const to = key('copy.bin');
        await objects.put(from, bytes);

        await objects.copy(from, to);

        expect(digest(await objects.getBytes(to))).toBe(digest(bytes));
        expect(digest(await objects.getBytes(from))).toBe(digest(bytes));
      });

      it('rejects copying a missing key', async () => {
        await expect(objects.copy(key('missing'), key('copy'))).rejects.toThrow();
      });
    });

    describe('delete', () => {
      it('deletes more than 1000 keys (two DeleteObjects batches), and missing keys are not an error', async () => {
        const keys = Array.from({ length: 1001 }, (_, n) => key(`many/${n}.chunk`));
        const kept = key('kept');
        await objects.put(kept, 'kept');
        for (let start = 0; start < keys.length; start += 50) {
          await Promise.all(
            keys.slice(start, start + 50).map((at, n) => objects.put(at, `chunk ${start + n}`)),
          );
        }

        await objects.delete([...keys, key('never-written')]);

        // Every 25th key plus both sides of the 1000-key batch boundary (HEADs are slow on s3rver).
        const sample = keys.filter(
          (_, n) => n % 25 === 0 || (n >= 998 && n <= 1001) || n === keys.length - 1,
        );
        const heads = await Promise.all(sample.map((at) => objects.head(at)));
        expect(sample.filter((_, n) => heads[n] !== undefined)).toEqual([]);
        expect(await objects.head(kept)).toEqual({ size: 4 });
      });

      it('does nothing for an empty list', async () => {
        await expect(objects.delete([])).resolves.toBeUndefined();
      });
    });
  });
}
