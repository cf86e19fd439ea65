/**
 * An execution that ended without recording an outcome - it timed out, was aborted (StopExecution),
 * or its RecordFailure step failed too - would leave the session `processing` for ever: only the
 * workflow's record steps move it on. The routes that see a `processing` session (`complete` when
 * it would answer 202, `status` once the upload has been processing a while) ask the engine and
 * record such an execution as `failed`, through this one function.
 *
 * The write is the same conditional `processing -> failed` transition the workflow's record steps
 * make, so whichever lands first wins: a RecordCompletion or RecordFailure that wrote between our
 * read and our write keeps its outcome, and we answer it. Then the session's outcome event is
 * published, best effort, like every route's (`publishOutcomeEventBestEffort`): `Upload Failed`
 * for our write, or the winner's event if its own publish is still missing. The open-upload slot
 * needs nothing: it was given back when `complete` moved the session to `processing`.
 */
import { logger as rootLogger } from '../runtime/logger.js';
import { publishOutcomeEventBestEffort } from './downstream/publish-events.js';
import { ConditionFailedError } from './errors.js';
import type { UploadSession } from './model.js';
import type { ExecutionStatus } from './ports.js';
import type { UploadDeps } from './upload-deps.js';

/** Execution states that end an execution: if the session is still `processing`, nothing recorded it. */
const endedWithoutOutcome: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** `TIMED_OUT` -> `ExecutionTimedOut`: the error name the failed result carries. */
const errorNameOf = (status: ExecutionStatus): string =>
  `Execution${status.charAt(0)}${status
    .slice(1)
    .toLowerCase()
    .replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`;

/**
 * Asks the workflow engine how the session's execution stands and answers the session as it is
 * then: recorded `failed` (500, `WORKFLOW_FAILED`) when the execution ended without an outcome,
 * re-read when the execution succeeded (every successful path records its outcome before it ends,
 * so the `processing` the caller read is older than that write), otherwise unchanged. A session
 * that is not `processing` or has no execution yet is answered as it is, without asking.
 * Throws what the engine or the table throws (DescribeExecution throttled, ...).
 */
export async function reconcileEndedExecution(
  deps: UploadDeps,
  session: UploadSession,
): Promise<UploadSession> {
  if (session.state !== 'processing' || !session.executionId) return session;
  const { uploadId } = session;
  const status = await deps.workflow.status(session.executionId);
  if (status === 'SUCCEEDED') return (await deps.sessions.get(uploadId)) ?? session;
  if (!endedWithoutOutcome.has(status)) return session;
  const now = deps.clock.now();
  const body = {
    success: false,
    state: 'failed',
    uploadId,
    code: 'WORKFLOW_FAILED',
    message: `The completion workflow ended (${status}) without recording an outcome; the chunks are kept unless the file was already published. Report upload ${uploadId} to the operator, or upload the file again.`,
    error: errorNameOf(status),
    filepath: null,
    metadata: null,
    downstreamJobId: null,
  };
  const log = rootLogger.child({ uploadId });
  try {
    const failed = await deps.sessions.transition(uploadId, {
      from: ['processing'],
      to: 'failed',
      set: {
        result: { statusCode: 500, body },
        updatedAt: now,
        ttl: Math.ceil((now + deps.config.resultRetentionMs) / 1000),
      },
    });
    log.warn('execution ended without an outcome; recorded failed', {
      executionId: session.executionId,
      executionStatus: status,
    });
    await publishOutcomeEventBestEffort(deps, uploadId);
    return failed;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    // An outcome landed first (the execution's own record step): it wins, and its event goes out
    // if its publish is still missing.
    await publishOutcomeEventBestEffort(deps, uploadId);
    return (await deps.sessions.get(uploadId)) ?? session;
  }
}

/**
 * {@link reconcileEndedExecution} for routes that answer anyway: if the engine cannot be asked
 * (DescribeExecution throttled - its quota is shared by the account - or unreachable), the
 * session is answered as stored and a later request asks again.
 */
export async function reconcileEndedExecutionBestEffort(
  deps: UploadDeps,
  session: UploadSession,
): Promise<UploadSession> {
  return reconcileEndedExecution(deps, session).catch((error: unknown) => {
    rootLogger
      .child({ uploadId: session.uploadId })
      .warn('could not check the execution; answering the stored state', { error });
    return session;
  });
}
