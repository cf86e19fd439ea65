import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';

const GiB = 1024 * 1024 * 1024;
const s3Mock = mockClient(S3Client);
const store = new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'uploads');

beforeEach(() => {
  s3Mock.reset();
});
afterAll(() => {
  s3Mock.restore();
});

const s3Error = (name: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

describe('S3ObjectStore with a mocked client', () => {
  describe('putIfAbsent', () => {
    it('sends a conditional PutObject (If-None-Match: *) and answers true when S3 stores it', async () => {
      s3Mock.on(PutObjectCommand).resolves({});

      const created = await store.putIfAbsent('schemas/qa.json', '{}', 'application/json');

      expect(created).toBe(true);
      expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
        Bucket: 'uploads',
        Key: 'schemas/qa.json',
        Body: '{}',
        ContentType: 'application/json',
        IfNoneMatch: '*',
      });
      expect(s3Mock.commandCalls(HeadObjectCommand)).toHaveLength(0);
    });

    it('answers false when S3 answers 412 PreconditionFailed: the key exists', async () => {
      s3Mock.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));

      await expect(store.putIfAbsent('schemas/qa.json', '{}')).resolves.toBe(false);
    });

    it('retries while S3 answers 409 ConditionalRequestConflict, then takes the answer that settles it', async () => {
      s3Mock
        .on(PutObjectCommand)
        .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
        .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
        .rejects(s3Error('PreconditionFailed', 412));

      await expect(store.putIfAbsent('schemas/qa.json', '{}')).resolves.toBe(false);
      expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(3);
    });

    it('throws any other error, such as AccessDenied', async () => {
      s3Mock.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));

      await expect(store.putIfAbsent('schemas/qa.json', '{}')).rejects.toThrow('AccessDenied');
    });
  });

  describe('delete', () => {
    it('sends DeleteObjects in quiet batches of at most 1000 keys', async () => {
      s3Mock.on(DeleteObjectsCommand).resolves({});
      const keys = Array.from({ length: 2500 }, (_, n) => `uploads/u-1/${n}.chunk`);

      await store.delete(keys);

      const batches = s3Mock.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete);
      expect(batches.map((batch) => batch?.Objects?.length)).toEqual([1000, 1000, 500]);
      expect(batches.every((batch) => batch?.Quiet === true)).toBe(true);
      expect(batches.flatMap((batch) => batch?.Objects?.map((object) => object.Key))).toEqual(keys);
    });

    it('throws when DeleteObjects answers 200 with per-key Errors', async () => {
      s3Mock.on(DeleteObjectsCommand).resolves({
        Errors: [{ Key: 'uploads/u-1/3.chunk', Code: 'AccessDenied', Message: 'Access Denied' }],
      });

      await expect(store.delete(['uploads/u-1/3.chunk'])).rejects.toThrow(/AccessDenied/);
    });

    it('sends nothing for an empty list', async () => {
      await store.delete([]);

      expect(s3Mock.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    });
  });

  describe('copy', () => {
    it('copies an object of up to 5 GiB with one CopyObject, key segments URL-encoded', async () => {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 5 * GiB });
      s3Mock.on(CopyObjectCommand).resolves({});

      await store.copy('staging/u-1/my file.jsonl', 'completed/u-1/my file.jsonl');

      expect(s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input).toEqual({
        Bucket: 'uploads',
        Key: 'completed/u-1/my file.jsonl',
        CopySource: 'uploads/staging/u-1/my%20file.jsonl',
      });
      expect(s3Mock.commandCalls(UploadPartCopyCommand)).toHaveLength(0);
    });

    it('copies an object larger than 5 GiB in parts with UploadPartCopy', async () => {
      // Prepare: a 12 GiB + 1 byte source; CopyObject would answer InvalidRequest.
      const size = 12 * GiB + 1;
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: size, ContentType: 'application/x-ndjson' });
      s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu-1' });
      s3Mock
        .on(UploadPartCopyCommand)
        .callsFake((input) => ({ CopyPartResult: { ETag: `"etag-${input.PartNumber}"` } }));
      s3Mock.on(CompleteMultipartUploadCommand).resolves({});

      // Act
      await store.copy('staging/u-1/model.bin', 'completed/u-1/model.bin');

      // Assess: contiguous ranges that cover every byte, completed in part order.
      expect(s3Mock.commandCalls(CopyObjectCommand)).toHaveLength(0);
      expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
        Key: 'completed/u-1/model.bin',
        ContentType: 'application/x-ndjson',
      });
      const copies = s3Mock
        .commandCalls(UploadPartCopyCommand)
        .map((call) => call.args[0].input)
        .sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      let next = 0;
      for (const copy of copies) {
        expect(copy.CopySource).toBe('uploads/staging/u-1/model.bin');
        const [start, end] = (copy.CopySourceRange ?? '').replace('bytes=', '').split('-').map(Number);
        expect(start).toBe(next);
        next = (end as number) + 1;
      }
      expect(next).toBe(size);
      expect(copies.length).toBeLessThanOrEqual(10_000);
      const completed = s3Mock.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
      expect(completed?.UploadId).toBe('mpu-1');
      expect(completed?.MultipartUpload?.Parts).toEqual(
        copies.map((copy) => ({ PartNumber: copy.PartNumber, ETag: `"etag-${copy.PartNumber}"` })),
      );
    });

    it('aborts the multipart copy and rethrows when a part fails', async () => {
      s3Mock.on(HeadObjectCommand).resolves({ ContentLength: 6 * GiB });
      s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'mpu-2' });
      s3Mock.on(UploadPartCopyCommand).rejects(new Error('SlowDown'));
      s3Mock.on(AbortMultipartUploadCommand).resolves({});

      await expect(store.copy('a', 'b')).rejects.toThrow('SlowDown');

      expect(s3Mock.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
        Key: 'b',
        UploadId: 'mpu-2',
      });
      expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    });
  });

  describe('reads', () => {
    it('answers undefined from getBytes on NoSuchKey and from head on NotFound', async () => {
      s3Mock
        .on(GetObjectCommand)
        .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
      s3Mock
        .on(HeadObjectCommand)
        .rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));

      expect(await store.getBytes('missing')).toBeUndefined();
      expect(await store.head('missing')).toBeUndefined();
    });

    it('rethrows any other read error', async () => {
      const denied = Object.assign(new Error('Access Denied'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      s3Mock.on(HeadObjectCommand).rejects(denied);

      await expect(store.head('secret')).rejects.toBe(denied);
    });

    it('asks for an inclusive byte range with the HTTP Range header', async () => {
      s3Mock.on(GetObjectCommand).rejects(new Error('stop here'));

      await store.getStream('file', { start: 10, end: 19 }).catch(() => undefined);

      expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBe('bytes=10-19');
    });
  });
});
