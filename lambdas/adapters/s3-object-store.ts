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
 * - `putIfAbsent` is where atomicity comes from differs (`conditionalWrites`): on AWS it is S3's
 *   conditional PutObject (`If-None-Match: *`): S3 answers 412 PreconditionFailed when the key
 *   exists, and 409 ConditionalRequestConflict while another conditional write to the key is in
 *   flight (retried, after which it settles as 412 or success). s3rver ignores `If-None-Match`
 *   (it overwrites: measured, LOCAL-STACK-NOTES.md), so on the local stack the adapter serializes
 *   the calls for a key in this process around a HeadObject and a plain PutObject. That is
 *   atomic only while one process writes to the bucket, which holds locally: the local stack's
 *   single process owns the emulators. It is never used against real S3.
 */
import { pipeline, type Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** How many times a conditional PutObject is sent while S3 answers ConditionalRequestConflict. */
const conditionalPutAttempts = 5;
/** Wait before the next attempt after a ConditionalRequestConflict, times the attempt number. */
const conditionalPutBackoffMs = 50;

/**
 * The tails of the in-process queues of `putIfAbsent` calls, by bucket and key: shared by every
 * adapter of the process, so two adapters on one emulator bucket still take turns.
 */
const inProcessQueues = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task queued under `queue` has settled. */
async function inTurn<T>(queue: string, task: () => Promise<T>): Promise<T> {
  const run = (inProcessQueues.get(queue) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  inProcessQueues.set(queue, tail);
  try {
    return await run;
  } finally {
    if (inProcessQueues.get(queue) === tail) inProcessQueues.delete(queue);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || statusOf(error) === 404;
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

export interface S3ObjectStoreOptions {
  /**
   * What makes `putIfAbsent` atomic. `native`: S3's conditional PutObject (`If-None-Match: *`),
   * atomic across all processes. `in-process`: a per-key queue in this process around a
   * HeadObject and a plain PutObject, for s3rver, which ignores `If-None-Match`; atomic only while
   * this process is the bucket's one writer (the local stack).
   * @default 'native'
   */
  readonly conditionalWrites?: 'native' | 'in-process';
}

export class S3ObjectStore implements ObjectStore {
  private readonly conditionalWrites: 'native' | 'in-process';

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    options: S3ObjectStoreOptions = {},
  ) {
    this.conditionalWrites = options.conditionalWrites ?? 'native';
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
    if (this.conditionalWrites === 'in-process') {
      return inTurn(`${this.bucket}/${key}`, async () => {
        if ((await this.head(key)) !== undefined) return false;
        await this.put(key, body, contentType);
        return true;
      });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        // The key exists: this write is refused and the stored object is unchanged.
        if ((error as Error).name === 'PreconditionFailed' || statusOf(error) === 412) return false;
        // Another conditional write to the key is in flight; S3 asks the caller to retry.
        if ((error as Error).name === 'ConditionalRequestConflict' && attempt < conditionalPutAttempts) {
          await sleep(conditionalPutBackoffMs * attempt);
          continue;
        }
        throw error;
      }
    }
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
