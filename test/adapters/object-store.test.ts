import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../lambdas/adapters/in-memory-object-store.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import { digestOf as digest, patternBytes } from '../support/bytes.js';
import { startTestEmulators, type TestEmulators } from '../support/emulators.js';
import { describeObjectStoreContract } from './object-store-contract.js';

describeObjectStoreContract('in memory', () => new InMemoryObjectStore());

let emulators: TestEmulators;
beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(async () => {
  await emulators?.cleanup();
});

// s3rver answers 405 to AbortMultipartUpload (LOCAL-STACK-NOTES.md). `emulators.objects` takes
// turns in-process for putIfAbsent, as the local stack does.
describeObjectStoreContract('S3 on s3rver', () => emulators.objects, { supportsAbortMultipartUpload: false });

describe('s3rver leniency the in-memory store and the core must make up for', () => {
  it('accepts a non-last part under 5 MiB at CompleteMultipartUpload, which S3 rejects with EntityTooSmall', async () => {
    const key = 'leniency/small-parts.bin';
    const multipartUploadId = await emulators.objects.createMultipartUpload(key);
    const parts = [];
    for (const [partNumber, text] of [
      [1, 'small first part'],
      [2, 'last'],
    ] as const) {
      const etag = await emulators.objects.uploadPart({
        key,
        multipartUploadId,
        partNumber,
        body: Readable.from([Buffer.from(text)]),
        contentLength: text.length,
      });
      parts.push({ partNumber, etag });
    }

    await expect(
      emulators.objects.completeMultipartUpload(key, multipartUploadId, parts),
    ).resolves.toBeUndefined();

    // The in-memory store enforces the rule S3 has: see in-memory-object-store.test.ts.
    expect(await emulators.objects.head(key)).toEqual({ size: 'small first partlast'.length });
  });

  it('answers 405 to AbortMultipartUpload, so callers treat an abort as best effort', async () => {
    const key = 'leniency/abort.bin';
    const multipartUploadId = await emulators.objects.createMultipartUpload(key);

    await expect(emulators.objects.abortMultipartUpload(key, multipartUploadId)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 405 },
    });
  });

  it('ignores If-None-Match on PutObject, so the local stack makes putIfAbsent atomic in-process', async () => {
    const native = new S3ObjectStore(emulators.clients.s3, emulators.bucketName, {
      conditionalWrites: 'native',
    });
    const key = 'leniency/if-none-match.json';

    const created = [await native.putIfAbsent(key, 'first'), await native.putIfAbsent(key, 'second')];

    // Real S3 answers the second 412 PreconditionFailed (s3-object-store.mock.test.ts).
    expect(created).toEqual([true, true]);
    expect(Buffer.from((await native.getBytes(key)) as Uint8Array).toString()).toBe('second');
  });

  it('stores a streamed part byte for byte with the WHEN_REQUIRED checksum mode', async () => {
    const bytes = patternBytes(3 * 1024 * 1024 + 17, 11);
    const key = 'leniency/streamed.bin';
    const multipartUploadId = await emulators.objects.createMultipartUpload(key);
    const etag = await emulators.objects.uploadPart({
      key,
      multipartUploadId,
      partNumber: 1,
      body: Readable.from([Buffer.from(bytes)]),
      contentLength: bytes.length,
    });
    await emulators.objects.completeMultipartUpload(key, multipartUploadId, [{ partNumber: 1, etag }]);

    expect(digest(await emulators.objects.getBytes(key))).toBe(digest(bytes));
  });
});
