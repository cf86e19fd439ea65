import type { CompletionResult, UploadSession, UploadState } from './model.js';
import { isFinalState } from './model.js';
import { reconcileEndedExecutionBestEffort } from './reconcile-execution.js';
import { allIndices, goneError, isPastExpiry, loadSession } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

export interface UploadStatus {
  uploadId: string;
  totalChunks: number;
  /** Indices of the stored chunks, ascending. */
  receivedChunks: number[];
  /** True once every chunk has been received (the old service's meaning). */
  isComplete: boolean;
  state: UploadState;
  filename: string;
  totalSize: number;
  chunkSize: number;
  expiresAt: string;
  /** Once final: the body `complete` answers with. */
  result?: CompletionResult['body'];
}

/**
 * How long an upload must have been `processing` before `status` asks the workflow engine whether
 * its execution ended without an outcome (one DescribeExecution per status request after that).
 *
 * Why a minimum age and no other limit: most completions end, with their outcome recorded, within
 * seconds, and clients poll `status` right after `complete` answered 202; for them `status` makes
 * no call at all (and `complete` has already asked once at the end of its wait). An execution
 * that ends unrecorded is rare (timeout, StopExecution, a RecordFailure that failed after its
 * retries), so finding it up to a minute later costs a client nothing that matters. Past the
 * minute every poll asks. DescribeExecution is not billed (Standard workflows are billed per
 * state transition), but it is throttled per account and Region (a token bucket shared with every
 * other caller): its rate from `status` is at most the status route's request rate, which the API
 * stage's throttle (or a `routeThrottles` entry for GetUploadStatus) caps, and a throttled call
 * never fails `status` (see `reconcileEndedExecutionBestEffort`). A per-upload "at most once per
 * N seconds" would need a remembered timestamp - a DynamoDB write per check, or per-container
 * memory that concurrent containers do not share - to save calls that cost nothing.
 */
export const statusExecutionCheckAfterMs = 60_000;

const executionCheckDue = (deps: UploadDeps, session: UploadSession): boolean =>
  session.state === 'processing' &&
  session.executionId !== undefined &&
  deps.clock.now() - (session.processingStartedAt ?? 0) >= statusExecutionCheckAfterMs;

/**
 * The status of an upload. Aborted and expired uploads answer 410 like every other endpoint.
 * Once `complete` has accepted an upload every chunk was present, so the indices are derived
 * instead of read back (the chunk records may already be gone). A `processing` upload whose
 * execution ended without recording an outcome is recorded `failed` here, as `complete` would.
 */
export async function getStatus(deps: UploadDeps, uploadId: string, owner: string): Promise<UploadStatus> {
  let session = await loadSession(deps, uploadId, owner);
  if (session.state === 'aborted' || session.state === 'expired' || isPastExpiry(deps, session)) {
    throw goneError(session);
  }
  if (executionCheckDue(deps, session)) session = await reconcileEndedExecutionBestEffort(deps, session);
  const receivedChunks =
    session.state === 'uploading'
      ? (await deps.sessions.listChunks(uploadId)).filter((c) => c.status === 'stored').map((c) => c.index)
      : allIndices(session.totalChunks);
  return {
    uploadId,
    totalChunks: session.totalChunks,
    receivedChunks,
    isComplete: receivedChunks.length === session.totalChunks,
    state: session.state,
    filename: session.filename,
    totalSize: session.totalSize,
    chunkSize: session.chunkSize,
    expiresAt: new Date(session.expiresAt).toISOString(),
    ...(isFinalState(session.state) && session.result ? { result: session.result.body } : {}),
  };
}
