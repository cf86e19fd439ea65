/**
 * The ports through which the core tells the world about uploads: events on a bus, fine-tuning
 * jobs, and the data-curation webhook. No AWS imports: `lambdas/adapters/` implements them with
 * EventBridge, SQS, Bedrock and HTTPS (plus local files for the local stack).
 */
import type { UploadEvent } from './upload-events.js';

/** Publishes upload events (EventBridge `PutEvents` on AWS, `.data/events.jsonl` locally). */
export interface EventPublisher {
  /** Publishes one event; throws when the bus did not accept it. */
  publish(event: UploadEvent): Promise<void>;
}

/** What a fine-tuning target is asked to start: one published dataset. */
export interface FineTuningJobRequest {
  /** The same for every attempt for one upload: a target that can deduplicate uses it. */
  idempotencyKey: string;
  uploadId: string;
  owner: string;
  bucket: string;
  key: string;
  /** `s3://bucket/key` of the published dataset. */
  s3Uri: string;
  sha256: string;
  size: number;
  schemaFamily: string | null;
  recordCount: number | null;
  purpose: string | null;
  reportLocation: string | null;
}

/** Starts a fine-tuning job (an SQS message, a Bedrock model customization job, a local file line). */
export interface FineTuningLauncher {
  /** Short name of the target, e.g. `sqs`, `bedrock`, `local-queue`. */
  readonly kind: string;
  /** Starts the job and answers its id (message id, job ARN). */
  start(request: FineTuningJobRequest): Promise<string>;
}

/** One webhook delivery: the body and the key that makes re-deliveries idempotent. */
export interface CurationDelivery {
  idempotencyKey: string;
  body: Record<string, unknown>;
}

/** Notifies the data-curation system (a signed HTTPS webhook). */
export interface CurationNotifier {
  /** Delivers (with its own retries); answers the receiver's id, if it returned one. Throws after the last attempt. */
  deliver(delivery: CurationDelivery): Promise<{ id: string | null; attempts: number }>;
}

/** The downstream ports a task or route needs; a target left out is not configured. */
export interface DownstreamDeps {
  events: EventPublisher;
  fineTuning?: FineTuningLauncher;
  curation?: CurationNotifier;
}
