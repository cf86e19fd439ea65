/**
 * `ObjectStore` on one S3 bucket, with an SDK v3 `S3Client` built by `aws-clients.ts`
 * (checksums only when required: see there and LOCAL-STACK-NOTES.md).
 *
 * - Reads return the SDK's Node stream (`Body` is an `IncomingMessage` in Node), so large
 *   objects and ranges are never buffered; a range is sent as HTTP `Range: bytes=start-end`.
 * - A missing object is `undefined` for `getBytes` and `head` (S3 answers `NoSuchKey` to a GET
 *   and a bare 404 `NotFound` to a HEAD); `getStream` and `copy` throw.
 * - `delete` uses DeleteObjects, which takes at most 1,000 keys per request. In quiet mode S3
 *   answers only the keys it failed to delete; any such error is thrown, never ignored.
 * - `copy` uses CopyObject up to its 5 GiB limit; larger objects are copied in parts with
 *   UploadPartCopy. s3rver answers 501 to UploadPartCopy, so that path is covered only by a
 *   test with a mocked client (`test/adapters/s3-object-store.mock.test.ts`).
 * - s3rver answers 405 to AbortMultipartUpload: locally, `abortMultipartUpload` throws, so
 *   callers treat an abort as best-effort cleanup (an AbortIncompleteMultipartUpload lifecycle
 *   rule removes stale uploads on AWS too).
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { ByteRange, CompletedPart, ObjectStore, StoredObject, UploadPartInput } from '../core/ports.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** DeleteObjects takes at most this many keys per request. */
const deleteBatchSize = 1000;
/** The largest object CopyObject copies in one request. */
export const maxCopyObjectBytes = 5 * GiB;
/** Part size for UploadPartCopy: large enough to stay far below 10,000 parts for a 5 TiB object. */
const copyPartSizeBytes = 512 * MiB;
const maxParts = 10_000;
/** How many UploadPartCopy requests run at once. */
const copyConcurrency = 8;

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || status === 404;
}

/** A pass-through that fails unless exactly `contentLength` bytes go through it. */
function exactLength(contentLength: number): Transform {
  let seen = 0;
  const mismatch = (message: string): Error => Object.assign(new Error(message), { name: 'IncompleteBody' });
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > contentLength) {
        callback(mismatch(`Body is longer than the declared ${contentLength} bytes`));
        return;
      }
      callback(null, chunk);
    },
    flush(callback) {
      callback(
        seen === contentLength ? null : mismatch(`Body has ${seen} bytes, not the declared ${contentLength}`),
      );
    },
  });
}

/** `CopySource` is `bucket/key`, URL-encoded; each key segment is encoded, the slashes kept. */
const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Runs `tasks` with at most `limit` of them in flight; results in task order. */
async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const position = next++;
      results[position] = await (tasks[position] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const { Body } = await this.s3.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
      }),
    );
    if (Body === undefined) throw new Error(`GetObject answered no body for ${key}`);
    return Body as Readable;
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Body === undefined ? new Uint8Array() : await Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const { ContentLength } = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createMultipartUpload(key: string, contentType?: string): Promise<string> {
    const { UploadId } = await this.s3.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
    );
    if (UploadId === undefined) throw new Error(`CreateMultipartUpload answered no UploadId for ${key}`);
    return UploadId;
  }

  async uploadPart(args: UploadPartInput): Promise<string> {
    // A body that ends short of Content-Length would leave the request waiting for bytes that
    // never come (measured on s3rver: it hangs), and a longer one fails with an opaque error.
    // The body goes through a byte counter; when it fails (short, long, or the source stream
    // errors) the request is aborted and the counter's error is thrown.
    const request = new AbortController();
    let bodyError: Error | undefined;
    const counted = exactLength(args.contentLength);
    pipeline(args.body, counted, (error) => {
      if (error) {
        bodyError = error;
        request.abort(error);
      }
    });
    try {
      // A stream body needs its length up front: checksums are only computed when required
      // (see aws-clients.ts), so there is no aws-chunked encoding to carry an unknown length.
      const { ETag } = await this.s3.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: args.key,
          UploadId: args.multipartUploadId,
          PartNumber: args.partNumber,
          Body: counted,
          ContentLength: args.contentLength,
        }),
        { abortSignal: request.signal },
      );
      if (ETag === undefined) throw new Error(`UploadPart answered no ETag for part ${args.partNumber}`);
      return ETag;
    } catch (error) {
      const failure = bodyError ?? error;
      // Releases the caller's stream when the request failed before reading all of it.
      counted.destroy();
      throw failure;
    }
  }

  async completeMultipartUpload(
    key: string,
    multipartUploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void> {
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: multipartUploadId,
        MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
      }),
    );
  }

  async abortMultipartUpload(key: string, multipartUploadId: string): Promise<void> {
    await this.s3.send(
      new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: multipartUploadId }),
    );
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    // HeadObject of a missing key throws `NotFound`, as CopyObject would throw `NoSuchKey`.
    const source = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fromKey }));
    const size = source.ContentLength ?? 0;
    // CopyObject copies at most 5 GiB in one request; beyond that S3 requires a multipart copy.
    if (size > maxCopyObjectBytes) {
      await this.copyInParts(fromKey, toKey, size, source.ContentType);
      return;
    }
    await this.s3.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: toKey,
        CopySource: copySource(this.bucket, fromKey),
      }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += deleteBatchSize) {
      const batch = keys.slice(start, start + deleteBatchSize);
      const { Errors } = await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true },
        }),
      );
      // DeleteObjects answers 200 even when some keys failed: the failures are in the body.
      if (Errors !== undefined && Errors.length > 0) {
        const first = Errors[0];
        throw new Error(
          `DeleteObjects failed for ${Errors.length} of ${batch.length} keys, e.g. ${first?.Key}: ${first?.Code} ${first?.Message}`,
        );
      }
    }
  }

  /** Multipart copy with UploadPartCopy, for objects beyond CopyObject's 5 GiB. */
  private async copyInParts(
    fromKey: string,
    toKey: string,
    size: number,
    contentType?: string,
  ): Promise<void> {
    const partSize = Math.max(copyPartSizeBytes, Math.ceil(size / maxParts / MiB) * MiB);
    const partCount = Math.ceil(size / partSize);
    // Unlike CopyObject, a multipart copy does not carry the source's content type over.
    const multipartUploadId = await this.createMultipartUpload(toKey, contentType);
    try {
      const tasks = Array.from({ length: partCount }, (_, position) => async (): Promise<CompletedPart> => {
        const start = position * partSize;
        const end = Math.min(start + partSize, size) - 1;
        const { CopyPartResult } = await this.s3.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: toKey,
            UploadId: multipartUploadId,
            PartNumber: position + 1,
            CopySource: copySource(this.bucket, fromKey),
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        if (CopyPartResult?.ETag === undefined) {
          throw new Error(`UploadPartCopy answered no ETag for part ${position + 1}`);
        }
        return { partNumber: position + 1, etag: CopyPartResult.ETag };
      });
      const parts = await inParallel(tasks, copyConcurrency);
      await this.completeMultipartUpload(toKey, multipartUploadId, parts);
    } catch (error) {
      // Best effort: incomplete uploads are also removed by an AbortIncompleteMultipartUpload
      // lifecycle rule on the bucket.
      await this.abortMultipartUpload(toKey, multipartUploadId).catch(() => undefined);
      throw error;
    }
  }
}
