/**
 * `complete`: checks every chunk is present, moves the session to `processing` exactly once
 * (a conditional write: of racing callers one wins, the rest see `processing`), starts the
 * workflow, and waits briefly for its result.
 *
 * Starting is idempotent per upload (the execution name is the upload id), so any caller that
 * finds the session `processing` without an execution id - a crash between the state change
 * and the start, or a start that failed - may start it again; the workflow still runs once.
 *
 * An execution that ended without recording an outcome (it timed out, was aborted, or its
 * RecordFailure step failed too) would leave the session `processing` for ever; a `complete`
 * that would answer 202 asks the engine, and records such an execution as `failed`
 * (`reconcile-execution.ts`, which `status` uses too).
 */
import { publishOutcomeEventBestEffort } from './downstream/publish-events.js';
import { outcomeEventPending } from './downstream/upload-events.js';
import { ConditionFailedError, MissingChunksError } from './errors.js';
import type { CompletionResult, UploadSession } from './model.js';
import { isFinalState } from './model.js';
import { releaseOpenUpload } from './open-uploads.js';
import { reconcileEndedExecutionBestEffort } from './reconcile-execution.js';
import { goneError, loadLiveSession } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

/** How many missing indices a 400 names before it only counts. */
const missingIndicesShown = 20;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function processingAnswer(session: UploadSession): CompletionResult {
  return {
    statusCode: 202,
    body: {
      success: true,
      state: 'processing',
      uploadId: session.uploadId,
      filepath: null,
      metadata: null,
      downstreamJobId: null,
      message: `Upload ${session.uploadId} is being assembled and verified. Poll GET /api/upload/status/${session.uploadId} until state is final; its result is this endpoint's answer.`,
    },
  };
}

async function checkAllChunksStored(deps: UploadDeps, session: UploadSession): Promise<void> {
  const stored = new Set(
    (await deps.sessions.listChunks(session.uploadId))
      .filter((c) => c.status === 'stored')
      .map((c) => c.index),
  );
  const missing: number[] = [];
  for (let index = 0; index < session.totalChunks; index++) if (!stored.has(index)) missing.push(index);
  if (missing.length === 0) return;
  const shown = missing.slice(0, missingIndicesShown).join(', ');
  const more =
    missing.length > missingIndicesShown ? ` and ${missing.length - missingIndicesShown} more` : '';
  throw new MissingChunksError(
    `Cannot complete upload ${session.uploadId}: ${missing.length} of ${session.totalChunks} chunks are missing (${shown}${more}). Upload them, then call complete again.`,
    { uploadId: session.uploadId, missingChunks: missing.slice(0, 100), missingCount: missing.length },
  );
}

/** Moves an `uploading` session to `processing`; returns the session as it is after the attempt. */
async function claimCompletion(deps: UploadDeps, session: UploadSession): Promise<UploadSession> {
  const now = deps.clock.now();
  try {
    const processing = await deps.sessions.transition(session.uploadId, {
      from: ['uploading'],
      to: 'processing',
      notExpiredAt: now,
      set: { processingStartedAt: now, updatedAt: now },
    });
    // No longer open: the owner's slot is free for another upload.
    await releaseOpenUpload(deps, session.owner, session.uploadId);
    return processing;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    // Lost the race (or it expired this very moment): answer from the state that won.
    return loadLiveSession(deps, session.uploadId, session.owner);
  }
}

async function ensureStarted(deps: UploadDeps, session: UploadSession): Promise<UploadSession> {
  if (session.executionId) return session;
  const executionId = await deps.workflow.start(session.uploadId);
  await deps.sessions.update(session.uploadId, { executionId });
  return { ...session, executionId };
}

async function waitForResult(deps: UploadDeps, session: UploadSession): Promise<CompletionResult> {
  const sleep = deps.sleep ?? defaultSleep;
  const deadline = deps.clock.now() + deps.config.completeWaitMs;
  let current = session;
  let pause = 100;
  while (!isFinalState(current.state) && deps.clock.now() < deadline) {
    await sleep(Math.min(pause, Math.max(1, deadline - deps.clock.now())));
    pause = Math.min(pause * 2, 1000);
    current = (await deps.sessions.get(session.uploadId)) ?? current;
  }
  if (current.state === 'processing') current = await reconcileEndedExecutionBestEffort(deps, current);
  return outcomeOf(current);
}

function outcomeOf(session: UploadSession): CompletionResult {
  if (session.state === 'aborted' || session.state === 'expired') throw goneError(session);
  if (isFinalState(session.state) && session.result) return session.result;
  return processingAnswer(session);
}

export async function completeUpload(
  deps: UploadDeps,
  uploadId: string,
  owner: string,
): Promise<CompletionResult> {
  let session = await loadLiveSession(deps, uploadId, owner);
  // A final upload whose event the workflow could not publish (its last task failed to): this
  // request finishes it, best effort (`publishOutcomeEvent` skips an event already published).
  if (isFinalState(session.state) && outcomeEventPending(session)) {
    await publishOutcomeEventBestEffort(deps, uploadId);
  }
  if (session.state === 'uploading') {
    await checkAllChunksStored(deps, session);
    session = await claimCompletion(deps, session);
  }
  if (session.state !== 'processing') return outcomeOf(session);
  return waitForResult(deps, await ensureStarted(deps, session));
}
