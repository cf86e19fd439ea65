/**
 * `RecordFailure`: a task failed after its retries (the Catch put `{Error, Cause}` at `$.error`).
 * The upload ends `failed` with a 500 result that names the error only: `Cause` holds the
 * error message and stack trace, internals a client must not see, so it goes to the log.
 * Chunks are kept; a started multipart upload is aborted, best effort.
 */
import type { AssemblyPlan, FailureState, PublishedFile } from '../../workflow/contract.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, taskLogger } from './completion-deps.js';
import { recordOutcome } from './record-outcome.js';

/**
 * The state at the Catch: it has a plan when the failure came after `PlanAssembly`, and the
 * published file when only recording the completion failed.
 */
export interface FailureInput extends FailureState {
  plan?: AssemblyPlan;
  published?: PublishedFile;
}

/** Error names are identifiers (`MissingChunksError`, `States.Timeout`); anything else is not echoed. */
const errorNamePattern = /^[A-Za-z][\w.:-]{0,99}$/;

const errorNameOf = (state: FailureState): string => {
  const name = state.error?.Error;
  return name !== undefined && errorNamePattern.test(name) ? name : 'UnknownError';
};

export async function recordFailure(
  deps: CompletionDeps,
  state: FailureInput,
): Promise<CompletionResult | undefined> {
  const { uploadId, plan } = state;
  const log = taskLogger(deps, 'RecordFailure', uploadId);
  const errorName = errorNameOf(state);
  log.error('completion workflow failed', { error: state.error?.Error, cause: state.error?.Cause });

  if (plan !== undefined) {
    // Best effort: after FinishAssembly the multipart upload is complete and this fails; the
    // bucket's lifecycle rule aborts whatever is left.
    await deps.objects
      .abortMultipartUpload(plan.stagingKey, plan.multipartUploadId)
      .catch((error: unknown) => {
        log.warn('could not abort the multipart upload', { error });
      });
  }

  const now = deps.clock.now();
  const whatIsLeft = state.published
    ? `the file was published at ${state.published.filepath} but its completion could not be recorded`
    : 'the chunks are kept';
  const body = {
    success: false,
    state: 'failed',
    uploadId,
    code: 'WORKFLOW_FAILED',
    message: `The completion workflow failed (${errorName}); ${whatIsLeft}. Report upload ${uploadId} to the operator, or upload the file again.`,
    error: errorName,
    filepath: null,
    metadata: null,
    downstreamJobId: null,
  };
  return recordOutcome(deps, uploadId, { to: 'failed', result: { statusCode: 500, body }, now }, log);
}
