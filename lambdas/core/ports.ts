/**
 * The ports through which the core talks to storage and to the workflow engine. The core has
 * no AWS imports: adapters in `lambdas/adapters/` implement these with SDK v3 clients, and
 * `lambdas/adapters/in-memory-*.ts` implement them in memory for unit tests. One shared
 * contract suite (`test/adapters/*-contract.ts`) runs against both.
 */
import type { Readable } from 'node:stream';
import type { ChunkRecord, UploadSession, UploadState } from './model.js';

/** Outcome of claiming a chunk index. */
export type ChunkClaim = { claimed: true } | { claimed: false; existing: ChunkRecord };

/** A conditional state change: applied only if the session is in one of `from`. */
export interface SessionTransition {
  from: readonly UploadState[];
  to: UploadState;
  /** Attributes to set together with the new state. */
  set?: Partial<Omit<UploadSession, 'uploadId' | 'state'>>;
  /** Only if the session's `expiresAt` is after this instant (epoch ms). */
  notExpiredAt?: number;
}

export interface SessionRepository {
  /** Stores a new session. Throws `ConditionFailedError` if the id already exists. */
  create(session: UploadSession): Promise<void>;
  /** Strongly consistent read; `undefined` when there is no such session. */
  get(uploadId: string): Promise<UploadSession | undefined>;
  /**
   * Records a chunk index once: the first caller gets `{claimed: true}`, every later caller
   * gets the record that won, whatever its bytes. Conditional write, safe under races.
   */
  claimChunk(uploadId: string, record: ChunkRecord): Promise<ChunkClaim>;
  /**
   * Moves a claimed chunk from `pending` to `stored` if its sha256 matches, and only the caller
   * that makes that move increments the session's `receivedCount`. Returns the count after.
   */
  markChunkStored(uploadId: string, index: number, sha256: string): Promise<number>;
  /** Every chunk record of the upload, ordered by index. */
  listChunks(uploadId: string): Promise<ChunkRecord[]>;
  /**
   * Applies a transition atomically and returns the updated session. Throws
   * `ConditionFailedError` when the session is missing, in another state, or expired.
   */
  transition(uploadId: string, transition: SessionTransition): Promise<UploadSession>;
  /** Sets attributes without a state condition (e.g. the workflow's execution id). */
  update(uploadId: string, set: Partial<Omit<UploadSession, 'uploadId' | 'state'>>): Promise<void>;
  /**
   * Every session in one of `states`, in no particular order. For the local stack's expiry sweep
   * only (`core/expire-uploads.ts`): the DynamoDB adapter reads the whole table to answer it, which
   * is fine on the emulator and not meant for a deployed table (there, the table's stream reports
   * expired sessions, see `core/downstream/removed-sessions.ts`).
   */
  listByState(states: readonly UploadState[]): Promise<UploadSession[]>;
}

/** One open upload of an owner, as the owner's ledger records it. */
export interface OpenUploadEntry {
  uploadId: string;
  /** The session's `expiresAt` (epoch ms): after it the entry counts for nothing. */
  expiresAt: number;
  /** When `init` reserved the entry (epoch ms), before the session item existed. */
  reservedAt: number;
}

/** An owner's open uploads and the version of the record they were read from. */
export interface OwnerOpenUploads {
  entries: OpenUploadEntry[];
  /** Bumped by every `reserve`; 0 when the owner has no record yet. */
  version: number;
}

/**
 * Counts each owner's open (`uploading`) uploads for `MAX_OPEN_UPLOADS_PER_OWNER`: one record
 * per owner, changed with optimistic concurrency, so two concurrent `init`s cannot both take the
 * last slot (see `core/open-uploads.ts` and docs/decisions.md).
 */
export interface OpenUploadLedger {
  /** Strongly consistent read of the owner's record (`version` 0 and no entries when none). */
  read(owner: string): Promise<OwnerOpenUploads>;
  /**
   * Adds `entry` and removes the `drop` ids, only if the record is still at `expectedVersion`
   * (0: only if there is none), and bumps the version. Throws `ConditionFailedError` otherwise.
   */
  reserve(
    owner: string,
    expectedVersion: number,
    entry: OpenUploadEntry,
    drop: readonly string[],
  ): Promise<void>;
  /** Removes the upload's entry; a missing record or entry is not an error. Leaves the version. */
  release(owner: string, uploadId: string): Promise<void>;
}

/** Byte range, inclusive on both ends as in HTTP `Range`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  size: number;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** One part of a multipart upload: exactly `contentLength` bytes streamed from `body`. */
export interface UploadPartInput {
  key: string;
  multipartUploadId: string;
  partNumber: number;
  body: Readable;
  contentLength: number;
}

export interface ObjectStore {
  /** The bucket name, used to build `s3://` locations in responses. */
  readonly bucket: string;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /**
   * Stores the object only if nothing is stored at `key` yet: `true` when this call created it,
   * `false` when an object was already there (left unchanged). Atomic: of concurrent calls for
   * one key, exactly one answers `true`. On S3 a conditional PutObject (`If-None-Match: *`); see
   * the adapters for how the local emulator, which ignores that header, is made atomic.
   */
  putIfAbsent(key: string, body: Uint8Array | string, contentType?: string): Promise<boolean>;
  /** Streams an object (or a range of it). Throws if it does not exist. */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Reads a whole small object into memory; `undefined` when it does not exist. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  head(key: string): Promise<StoredObject | undefined>;
  createMultipartUpload(key: string, contentType?: string): Promise<string>;
  /** Uploads one part from a stream of exactly `contentLength` bytes; returns its ETag. */
  uploadPart(args: UploadPartInput): Promise<string>;
  completeMultipartUpload(
    key: string,
    multipartUploadId: string,
    parts: readonly CompletedPart[],
  ): Promise<void>;
  abortMultipartUpload(key: string, multipartUploadId: string): Promise<void>;
  /** Server-side copy of a whole object. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Deletes the keys (missing keys are not an error), in batches as the store requires. */
  delete(keys: readonly string[]): Promise<void>;
}

/** A malware scanner, defined beside its verdict type (`analysis/scan/virus-types.ts`). */
export type { MalwareScanner } from '../analysis/scan/virus-types.js';

/** An execution's status, in Step Functions' terms; `UNKNOWN` when the engine has no record of it. */
export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE'
  | 'UNKNOWN';

/** Starts the completion workflow for an upload, and tells how an execution stands. */
export interface WorkflowStarter {
  /**
   * Starts (or, for the same upload, finds the already started) execution. Idempotent per
   * upload id: the execution name is the upload id. Returns an id for the execution.
   */
  start(uploadId: string): Promise<string>;
  /** The status of an execution `start` returned. */
  status(executionId: string): Promise<ExecutionStatus>;
}

/** The time source, injectable so expiry can be tested with fake clocks. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
