/**
 * Shapes of the data that flows between the completion workflow's states. Step Functions
 * limits state to 256 KiB, so nothing here grows with the file: batches of parts, not part
 * lists (each batch writes its ETags to a small manifest object in S3).
 */

import type { NotificationStatus } from '../core/downstream/upload-events.js';

export interface WorkflowInput {
  uploadId: string;
}

/** A contiguous range of S3 parts assembled by one `AssembleBatch` invocation. Parts are 1-based. */
export interface AssemblyBatch {
  batchIndex: number;
  firstPart: number;
  lastPart: number;
}

export interface AssemblyPlan {
  multipartUploadId: string;
  stagingKey: string;
  chunksPerPart: number;
  partCount: number;
  batches: AssemblyBatch[];
}

export interface AssembleBatchInput {
  uploadId: string;
  multipartUploadId: string;
  stagingKey: string;
  batch: AssemblyBatch;
}

export interface AssembleBatchOutput {
  batchIndex: number;
  partCount: number;
}

export interface AssembledFile {
  stagingKey: string;
  size: number;
}

export type FileType = 'dataset' | 'model_artifact' | 'archive' | 'other';

export interface Verification {
  /** True when the file may be published. */
  ok: boolean;
  size: number;
  /** Lowercase hex sha256 of the assembled bytes. */
  sha256: string;
  fileType: FileType;
  /** What the type was recognized from, e.g. `extension .jsonl`, `magic bytes PK\x03\x04 (zip)`. */
  detectedBy: string;
  /** Set when `ok` is false: the reason in words, naming what did not match. */
  reason?: string;
  /** Stable code for the rejection, e.g. `CHECKSUM_MISMATCH`, `SIZE_MISMATCH`, `DATASET_INVALID`. */
  code?: string;
  /** Where the full analysis report (JSON) was written, next to the staging file. */
  reportKey: string;
  /** Error and warning totals of the analysis (the findings themselves are in the report). */
  errorCount: number;
  warningCount: number;
  /**
   * True when the file is dangerous (an unsafe pickle, ...): it goes to quarantine, not to a
   * plain rejection. Always present, so the workflow's Choice never reads a missing path.
   */
  quarantined: boolean;
  /** What made it dangerous, e.g. `unsafe pickle global os.system in archive/data.pkl`. */
  threats?: string[];
}

export interface PublishedFile {
  key: string;
  /** `s3://bucket/completed/{uploadId}/{filename}`. */
  filepath: string;
}

/** What `NotifyDownstream` answers (ResultPath `$.notified`). */
export interface NotifiedTargets {
  /** The fine-tuning job's id, or null. */
  downstreamJobId: string | null;
  notifications: NotificationStatus[];
}

/** The state after `PublishFile`, as `NotifyDownstream` receives it. */
export interface PublishedState extends WorkflowInput {
  plan: AssemblyPlan;
  assembled: AssembledFile;
  verification: Verification;
  published: PublishedFile;
}

/**
 * The state as `RecordCompletion` receives it: after `NotifyDownstream`, or after its Catch
 * (`notifyError`, Step Functions' `{Error, Cause}`) - a failed notification never fails the upload.
 */
export interface CompletionState extends PublishedState {
  notified?: NotifiedTargets;
  notifyError?: { Error?: string; Cause?: string };
}

/** The state as `RecordRejection` receives it. */
export interface RejectionState extends WorkflowInput {
  plan: AssemblyPlan;
  assembled: AssembledFile;
  verification: Verification;
}

/** The state as `RecordFailure` receives it: Step Functions' Catch puts `{Error, Cause}` at `$.error`. */
export interface FailureState extends WorkflowInput {
  error: { Error?: string; Cause?: string };
}
