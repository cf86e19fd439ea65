/**
 * What the completion workflow's task functions receive: ports and plain settings, no AWS types.
 * `getDeps()` (the Lambda composition root) satisfies it structurally.
 */
import { type Logger, logger as rootLogger } from '../../runtime/logger.js';
import type { DownstreamDeps, EventPublisher } from '../downstream/ports.js';
import { UploadNotFoundError, UploadStateConflictError } from '../errors.js';
import type { UploadSession } from '../model.js';
import type { Clock, ObjectStore, SessionRepository } from '../ports.js';
import type { PiiEntityDetector } from './comprehend-sample.js';

export interface CompletionSettings {
  /** How long a final session (and its `result`) is kept before DynamoDB TTL may delete it. */
  resultRetentionMs: number;
  /** PII in a dataset: `report` (default) or `reject`. */
  piiPolicy?: 'report' | 'reject';
  /** Credentials in a dataset: `report` (default) or `reject`. */
  secretsPolicy?: 'report' | 'reject';
  /** A pickle that could not be fully scanned: `quarantine` (default), `reject` or `report`. */
  unscannablePolicy?: 'quarantine' | 'reject' | 'report';
  /** A file the malware scanner could not scan: `quarantine` (default), `reject` or `report`. */
  malwareUnscannedPolicy?: 'quarantine' | 'reject' | 'report';
}

export interface CompletionDeps {
  sessions: SessionRepository;
  objects: ObjectStore;
  clock: Clock;
  config: CompletionSettings;
  /** Where outcome events go (`downstream/publish-events.ts`); without it none are published. */
  events?: EventPublisher;
  /** The fine-tuning and data-curation targets; a target left out is not configured. */
  downstream?: Omit<DownstreamDeps, 'events'>;
  /** Where the tasks log; defaults to the process logger. Tests pass one that captures lines. */
  logger?: Logger;
  /** Amazon Comprehend on a sample of each dataset, when the stack enables it. */
  piiEntityDetector?: PiiEntityDetector;
}

/** A logger for one task of one upload: every line carries the upload id and the task's name. */
export const taskLogger = (deps: CompletionDeps, task: string, uploadId: string): Logger =>
  (deps.logger ?? rootLogger).child({ uploadId, task });

/** Loads the session or throws `UploadNotFoundError`. */
export async function requireSession(deps: CompletionDeps, uploadId: string): Promise<UploadSession> {
  const session = await deps.sessions.get(uploadId);
  if (session === undefined) throw new UploadNotFoundError(uploadId);
  return session;
}

/**
 * Loads a session the workflow may still work on. Only `complete` moves a session to
 * `processing`, and only a final state ends it, so any other state means the workflow was
 * started by something else or the upload was finished behind its back.
 */
export async function requireProcessingSession(
  deps: CompletionDeps,
  uploadId: string,
): Promise<UploadSession> {
  const session = await requireSession(deps, uploadId);
  if (session.state !== 'processing') {
    throw new UploadStateConflictError(
      `Upload ${uploadId} is ${session.state}, not processing: the completion workflow only runs after complete accepted the upload.`,
      { uploadId, state: session.state },
    );
  }
  return session;
}
