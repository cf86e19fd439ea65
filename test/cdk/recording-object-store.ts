/**
 * An `ObjectStore` that passes every call to another one and records the S3 requests the real
 * adapter (`lambdas/adapters/s3-object-store.ts`) makes for it, as IAM authorizes them. Running
 * the core with one recorder per function shows what each function's role must allow.
 */
import type { Readable } from 'node:stream';
import type { ByteRange, CompletedPart, ObjectStore, StoredObject } from '../../lambdas/core/ports.js';
import type { S3Request } from './s3-policy.js';

export class RecordingObjectStore implements ObjectStore {
  /** @param requests where the requests are appended (shared by the stores of one function). */
  constructor(
    private readonly inner: ObjectStore,
    readonly requests: S3Request[] = [],
  ) {}

  get bucket(): string {
    return this.inner.bucket;
  }

  private record(action: string, ...keys: string[]): void {
    for (const key of keys) this.requests.push({ action, key });
  }

  /**
   * S3 answers a GET or HEAD of a missing key 404 only to a caller that may list the key
   * (`s3:ListBucket` with the key as `s3:prefix`), 403 AccessDenied to anyone else; the adapter
   * turns only the 404 into `undefined`.
   */
  private recordMissing(key: string): void {
    this.requests.push({ action: 's3:ListBucket', prefix: key });
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    this.record('s3:PutObject', key);
    await this.inner.put(key, body, contentType);
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
    // A conditional PutObject (If-None-Match) needs only s3:PutObject.
    this.record('s3:PutObject', key);
    return this.inner.putIfAbsent(key, body, contentType);
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    this.record('s3:GetObject', key);
    return this.inner.getStream(key, range);
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    this.record('s3:GetObject', key);
    const bytes = await this.inner.getBytes(key);
    if (bytes === undefined) this.recordMissing(key);
    return bytes;
  }

  async head(key: string): Promise<StoredObject | undefined> {
    // HeadObject is authorized as s3:GetObject.
    this.record('s3:GetObject', key);
    const stored = await this.inner.head(key);
    if (stored === undefined) this.recordMissing(key);
    return stored;
  }

  async createMultipartUpload(key: string, contentType?: string): Promise<string> {
    // CreateMultipartUpload, UploadPart and CompleteMultipartUpload are all s3:PutObject.
    this.record('s3:PutObject', key);
    return this.inner.createMultipartUpload(key, contentType);
  }

  async uploadPart(args: Parameters<ObjectStore['uploadPart']>[0]): Promise<string> {
    this.record('s3:PutObject', args.key);
    return this.inner.uploadPart(args);
  }

  async completeMultipartUpload(
    key: string,
    multipartUploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void> {
    this.record('s3:PutObject', key);
    await this.inner.completeMultipartUpload(key, multipartUploadId, parts);
  }

  async abortMultipartUpload(key: string, multipartUploadId: string): Promise<void> {
    this.record('s3:AbortMultipartUpload', key);
    await this.inner.abortMultipartUpload(key, multipartUploadId);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    // HeadObject and CopyObject (or, beyond 5 GiB, CreateMultipartUpload, UploadPartCopy and
    // CompleteMultipartUpload) read the source and write the target; a failed multipart copy is
    // aborted. The in-memory store never takes the multipart path, so its abort is recorded here.
    this.record('s3:GetObject', fromKey);
    this.record('s3:PutObject', toKey);
    this.record('s3:AbortMultipartUpload', toKey);
    await this.inner.copy(fromKey, toKey);
  }

  async delete(keys: readonly string[]): Promise<void> {
    // DeleteObjects is authorized per key as s3:DeleteObject.
    this.record('s3:DeleteObject', ...keys);
    await this.inner.delete(keys);
  }
}
