/**
 * Ends an upload: the one conditional write that moves a `processing` session to a final state
 * together with the result `complete` and `status` answer with from then on.
 */
import type { Logger } from '../../runtime/logger.js';
import { ConditionFailedError } from '../errors.js';
import type { CompletionResult, UploadState } from '../model.js';
import { isFinalState } from '../model.js';
import type { CompletionDeps } from './completion-deps.js';

export interface Outcome {
  to: UploadState;
  result: CompletionResult;
  /** Epoch milliseconds the outcome is recorded at. */
  now: number;
}

/**
 * Moves the session `processing -> to` with the result, its retention (`ttl`, epoch seconds)
 * and `updatedAt`. Returns the result as stored: the new one, or, when a retried task finds the
 * session already final (its first attempt won, or another outcome did), the one stored then;
 * an outcome never overwrites another.
 */
export async function recordOutcome(
  deps: CompletionDeps,
  uploadId: string,
  outcome: Outcome,
  log: Logger,
): Promise<CompletionResult | undefined> {
  const { to, result, now } = outcome;
  try {
    await deps.sessions.transition(uploadId, {
      from: ['processing'],
      to,
      set: { result, updatedAt: now, ttl: Math.ceil((now + deps.config.resultRetentionMs) / 1000) },
    });
    log.info('outcome recorded', { state: to, statusCode: result.statusCode });
    return result;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const current = await deps.sessions.get(uploadId);
    if (current === undefined) {
      log.error('session is gone; outcome not recorded', { state: to });
      return undefined;
    }
    if (!isFinalState(current.state)) throw error;
    if (current.state === to) log.info('outcome already recorded', { state: to });
    else log.warn('session already final; outcome not recorded', { state: current.state, outcome: to });
    return current.result;
  }
}
