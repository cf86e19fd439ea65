/**
 * The upload session and its chunk records, as the core sees them. Storage adapters map these
 * to DynamoDB items (one session item plus one item per chunk: a received-chunk set in a single
 * item would break DynamoDB's 400 KB item limit at scale).
 */

import type { NotificationStatus } from './downstream/upload-events.js';

/** Every state an upload can be in. `uploading` and `processing` are open; the rest are final. */
export const uploadStates = [
  'uploading',
  'processing',
  'completed',
  'rejected',
  'quarantined',
  'failed',
  'aborted',
  'expired',
] as const;
export type UploadState = (typeof uploadStates)[number];

/** States after which nothing about the upload changes any more. */
export const finalStates: readonly UploadState[] = [
  'completed',
  'rejected',
  'quarantined',
  'failed',
  'aborted',
  'expired',
];

export const isFinalState = (state: UploadState): boolean => finalStates.includes(state);

/** The body `complete` answers with once the workflow has finished; also `status.result`. */
export interface CompletionResult {
  /** HTTP status `complete` answers this result with (200 completed, 422 rejected, 500 failed). */
  statusCode: number;
  body: Record<string, unknown>;
}

export interface UploadSession {
  uploadId: string;
  /** Who created the upload: the JWT `sub`, the IAM caller's ARN, or `local` (local `AUTH_MODE=none`). */
  owner: string;
  /** The filename as the client sent it (kept for lineage, never used in a key). */
  originalFilename: string;
  /** The sanitized filename used in object keys and responses. */
  filename: string;
  totalSize: number;
  chunkSize: number;
  totalChunks: number;
  /** Lowercase hex sha256 of the whole file, when the client declared one at init. */
  checksum?: string;
  /**
   * The schema `init` asked datasets to follow: `auto` (detect per record), a family name, or
   * `custom:<name>` for a registered JSON Schema (immutable once registered, so the name is enough).
   */
  schema?: string;
  /** `init`'s `purpose`, e.g. `fine-tune` (kept for lineage and downstream routing). */
  purpose?: string;
  /** The client's own `metadata` object from `init`, kept for lineage (bounded in size at init). */
  clientMetadata?: Record<string, unknown>;
  state: UploadState;
  /** Informative count of stored chunks; the chunk records are the authority. */
  receivedCount: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** Epoch milliseconds after which an `uploading` session is expired (checked by the code). */
  expiresAt: number;
  /** Epoch seconds after which DynamoDB TTL may delete the item (cleanup behind the code's check). */
  ttl: number;
  /** Set when the completion workflow was started. */
  executionId?: string;
  /** Epoch milliseconds when `complete` moved the session to `processing`. */
  processingStartedAt?: number;
  /** Set once the upload reached a final state through the workflow. */
  result?: CompletionResult;
  /** `eventId`s of the events published for this upload (see `downstream/publish-events.ts`). */
  publishedEvents?: string[];
  /** What each downstream target answered (see `downstream/notify-downstream.ts`). */
  notifications?: NotificationStatus[];
}

/** A chunk record: `pending` between the claim and the stored S3 object, then `stored`. */
export interface ChunkRecord {
  index: number;
  size: number;
  /** Lowercase hex sha256 of the chunk's bytes: how a re-send is told from a conflict. */
  sha256: string;
  status: 'pending' | 'stored';
  /** Epoch milliseconds. */
  receivedAt: number;
}
