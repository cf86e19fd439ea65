/**
 * The S3 rules the in-memory store enforces because s3rver does not (LOCAL-STACK-NOTES.md):
 * a core test on the in-memory store fails where S3 itself would.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InMemoryObjectStore } from '../../lambdas/adapters/in-memory-object-store.js';

const MiB = 1024 * 1024;

async function startedUpload() {
  const objects = new InMemoryObjectStore();
  const key = 'staging/u-1/file.bin';
  const multipartUploadId = await objects.createMultipartUpload(key);
  const upload = (partNumber: number, size: number) =>
    objects.uploadPart({
      key,
      multipartUploadId,
      partNumber,
      body: Readable.from([Buffer.alloc(size, partNumber)]),
      contentLength: size,
    });
  return { objects, key, multipartUploadId, upload };
}

describe('InMemoryObjectStore enforces the S3 multipart rules', () => {
  it('names its bucket test-bucket unless told otherwise', () => {
    expect(new InMemoryObjectStore().bucket).toBe('test-bucket');
    expect(new InMemoryObjectStore('other').bucket).toBe('other');
  });

  it('rejects a non-last part under 5 MiB with EntityTooSmall, as S3 does (s3rver accepts it)', async () => {
    const { objects, key, multipartUploadId, upload } = await startedUpload();
    const parts = [
      { partNumber: 1, etag: await upload(1, 5 * MiB - 1) },
      { partNumber: 2, etag: await upload(2, 10) },
    ];

    await expect(objects.completeMultipartUpload(key, multipartUploadId, parts)).rejects.toMatchObject({
      name: 'EntityTooSmall',
    });
    expect(await objects.head(key)).toBeUndefined();
  });

  it('accepts a last part under 5 MiB, and a single small part', async () => {
    const { objects, key, multipartUploadId, upload } = await startedUpload();
    const parts = [
      { partNumber: 1, etag: await upload(1, 5 * MiB) },
      { partNumber: 2, etag: await upload(2, 10) },
    ];

    await objects.completeMultipartUpload(key, multipartUploadId, parts);

    expect(await objects.head(key)).toEqual({ size: 5 * MiB + 10 });
  });

  it('rejects an ETag that is not the one UploadPart answered', async () => {
    const { objects, key, multipartUploadId, upload } = await startedUpload();
    await upload(1, 10);

    await expect(
      objects.completeMultipartUpload(key, multipartUploadId, [{ partNumber: 1, etag: '"not-the-etag"' }]),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
  });

  it('rejects a part that was never uploaded and parts out of order', async () => {
    const { objects, key, multipartUploadId, upload } = await startedUpload();
    const first = await upload(1, 5 * MiB);
    const second = await upload(2, 10);

    await expect(
      objects.completeMultipartUpload(key, multipartUploadId, [{ partNumber: 3, etag: second }]),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    await expect(
      objects.completeMultipartUpload(key, multipartUploadId, [
        { partNumber: 2, etag: second },
        { partNumber: 1, etag: first },
      ]),
    ).rejects.toMatchObject({ name: 'InvalidPartOrder' });
  });

  it('accepts part numbers 1 to 10,000 only', async () => {
    const { upload } = await startedUpload();

    await expect(upload(0, 1)).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(upload(10_001, 1)).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(upload(10_000, 1)).resolves.toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('forgets an upload once completed or aborted (NoSuchUpload)', async () => {
    const { objects, key, multipartUploadId, upload } = await startedUpload();
    const etag = await upload(1, 10);
    await objects.completeMultipartUpload(key, multipartUploadId, [{ partNumber: 1, etag }]);

    await expect(upload(2, 10)).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(objects.abortMultipartUpload(key, multipartUploadId)).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });

  it('answers NoSuchKey for a stream of a missing key and InvalidRange past the end', async () => {
    const objects = new InMemoryObjectStore();
    await objects.put('k', 'ten bytes!');

    await expect(objects.getStream('missing')).rejects.toMatchObject({ name: 'NoSuchKey' });
    await expect(objects.getStream('k', { start: 10, end: 20 })).rejects.toMatchObject({
      name: 'InvalidRange',
    });
  });
});
