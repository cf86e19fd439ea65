/**
 * An `ObjectStore` held in memory, for unit tests of the core and for the shared contract suite.
 *
 * It enforces the S3 rules that s3rver (the local emulator) does not, so a test that passes
 * here does not pass only because the emulator is lenient:
 * - part numbers are 1..10,000 (UploadPart);
 * - an UploadPart body is exactly `contentLength` bytes;
 * - at CompleteMultipartUpload the parts are listed in ascending order, each ETag is the one
 *   UploadPart returned, and every part except the last is at least 5 MiB (`EntityTooSmall`).
 *
 * Errors carry S3's error code as `name` (`NoSuchKey`, `NoSuchUpload`, `EntityTooSmall`, ...),
 * the same `name` the SDK gives its service exceptions. Bytes are copied on the way in and out:
 * a caller mutating a buffer it passed in or got back never changes a stored object.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ByteRange, CompletedPart, ObjectStore, StoredObject, UploadPartInput } from '../core/ports.js';

/** S3's smallest part, except for the last part of an upload. */
const minPartSizeBytes = 5 * 1024 * 1024;
/** S3's largest part number. */
const maxPartNumber = 10_000;

interface StoredBytes {
  bytes: Buffer;
  contentType?: string;
}

interface MultipartUpload {
  key: string;
  contentType?: string;
  parts: Map<number, { etag: string; bytes: Buffer }>;
}

function s3Error(code: string, message: string): Error {
  const error = new Error(message);
  error.name = code;
  return error;
}

/** S3's ETag of a single-part object or of a part: the quoted hex MD5 of its bytes. */
const etagOf = (bytes: Buffer): string => `"${createHash('md5').update(bytes).digest('hex')}"`;
const unquote = (etag: string): string => etag.replace(/^"|"$/g, '');

async function readExactly(body: Readable, contentLength: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    length += buffer.length;
    if (length > contentLength) {
      body.destroy();
      throw s3Error('IncompleteBody', `Body is longer than the declared ${contentLength} bytes`);
    }
    chunks.push(buffer);
  }
  if (length !== contentLength) {
    throw s3Error('IncompleteBody', `Body has ${length} bytes, not the declared ${contentLength}`);
  }
  return Buffer.concat(chunks, length);
}

export class InMemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredBytes>();
  private readonly uploads = new Map<string, MultipartUpload>();

  constructor(readonly bucket: string = 'test-bucket') {}

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    // Buffer.from copies a Uint8Array, so the caller keeps no handle on the stored bytes.
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.objects.set(key, { bytes, contentType });
  }

  async putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
    // Check and set run in one synchronous step, so no other call can interleave: atomic.
    if (this.objects.has(key)) return false;
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    this.objects.set(key, { bytes, contentType });
    return true;
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const { bytes } = this.require(key);
    if (range === undefined) return Readable.from([Buffer.from(bytes)]);
    // HTTP Range semantics: inclusive, an end past the object is clipped, a start past it is 416.
    if (range.start < 0 || range.start >= bytes.length || range.end < range.start) {
      throw s3Error('InvalidRange', `Range ${range.start}-${range.end} is not satisfiable for ${key}`);
    }
    const end = Math.min(range.end, bytes.length - 1);
    return Readable.from([Buffer.from(bytes.subarray(range.start, end + 1))]);
  }

  async getBytes(key: string): Promise<Uint8Array | undefined> {
    const stored = this.objects.get(key);
    return stored === undefined ? undefined : new Uint8Array(stored.bytes);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const stored = this.objects.get(key);
    return stored === undefined ? undefined : { size: stored.bytes.length };
  }

  async createMultipartUpload(key: string, contentType?: string): Promise<string> {
    const multipartUploadId = randomUUID();
    this.uploads.set(multipartUploadId, { key, contentType, parts: new Map() });
    return multipartUploadId;
  }

  async uploadPart(args: UploadPartInput): Promise<string> {
    const { key, multipartUploadId, partNumber, body, contentLength } = args;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > maxPartNumber) {
      body.destroy();
      throw s3Error('InvalidArgument', `Part number must be an integer between 1 and ${maxPartNumber}`);
    }
    this.requireUpload(key, multipartUploadId);
    const bytes = await readExactly(body, contentLength);
    // Look the upload up again: it may have been completed or aborted while the body streamed.
    const upload = this.requireUpload(key, multipartUploadId);
    const etag = etagOf(bytes);
    upload.parts.set(partNumber, { etag, bytes });
    return etag;
  }

  async completeMultipartUpload(
    key: string,
    multipartUploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void> {
    const upload = this.requireUpload(key, multipartUploadId);
    if (parts.length === 0) {
      throw s3Error('MalformedXML', 'CompleteMultipartUpload needs at least one part');
    }
    const chosen: Buffer[] = [];
    // The list as a whole is checked first: strictly ascending part numbers.
    if (
      parts.some(
        (part, position) => position > 0 && part.partNumber <= (parts[position - 1]?.partNumber ?? 0),
      )
    ) {
      throw s3Error('InvalidPartOrder', 'Parts must be listed in ascending order of part number');
    }
    for (const [position, part] of parts.entries()) {
      const uploaded = upload.parts.get(part.partNumber);
      if (uploaded === undefined || unquote(uploaded.etag) !== unquote(part.etag)) {
        throw s3Error('InvalidPart', `Part ${part.partNumber} was not uploaded with ETag ${part.etag}`);
      }
      // S3 rule the emulator does not enforce: every part but the last is at least 5 MiB.
      if (position < parts.length - 1 && uploaded.bytes.length < minPartSizeBytes) {
        throw s3Error(
          'EntityTooSmall',
          `Part ${part.partNumber} has ${uploaded.bytes.length} bytes; every part but the last needs 5 MiB`,
        );
      }
      chosen.push(uploaded.bytes);
    }
    this.objects.set(key, { bytes: Buffer.concat(chosen), contentType: upload.contentType });
    this.uploads.delete(multipartUploadId);
  }

  async abortMultipartUpload(key: string, multipartUploadId: string): Promise<void> {
    this.requireUpload(key, multipartUploadId);
    this.uploads.delete(multipartUploadId);
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const source = this.require(fromKey);
    this.objects.set(toKey, { bytes: Buffer.from(source.bytes), contentType: source.contentType });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  private require(key: string): StoredBytes {
    const stored = this.objects.get(key);
    if (stored === undefined) throw s3Error('NoSuchKey', `No object at ${this.bucket}/${key}`);
    return stored;
  }

  private requireUpload(key: string, multipartUploadId: string): MultipartUpload {
    const upload = this.uploads.get(multipartUploadId);
    if (upload === undefined || upload.key !== key) {
      throw s3Error('NoSuchUpload', `No multipart upload ${multipartUploadId} for ${key}`);
    }
    return upload;
  }
}
