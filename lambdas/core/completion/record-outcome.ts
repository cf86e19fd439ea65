/**
 * Ends an upload: the one conditional write that moves a `processing` session to a final state
 * together with the result `complete` and `status` answer with from then on.
 */
import type { Logger } from '../../runtime/logger.js';
import { publishOutcomeEvent } from '../downstream/publish-events.js';
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
 * an outcome never overwrites another. Then the event of the state the session is in is
 * published, unless it already was (`publishOutcomeEvent`): a retry finishes a publish that failed.
 */
/**
 * A result is stored on the session item (DynamoDB items are at most 400 KB). Its parts are
 * bounded where they are made; this is the last guard: a result still above the budget keeps its
 * verdict and the report's location and drops the descriptive parts (the report has them all).
 */
export const maxResultBytes = 300 * 1024;

/** A string cut to 1,000 characters, or a finding with its message and field cut. */
function shortened(item: unknown): unknown {
  const cut = (text: unknown, max: number) =>
    typeof text === 'string' && text.length > max ? `${text.slice(0, max)}…` : text;
  if (typeof item === 'string') return cut(item, 1000);
  if (item === null || typeof item !== 'object') return item;
  const finding = item as Record<string, unknown>;
  return {
    ...finding,
    message: cut(finding.message, 1000),
    ...('field' in finding ? { field: cut(finding.field, 200) } : {}),
  };
}

export function boundedResult(result: CompletionResult): CompletionResult {
  if (Buffer.byteLength(JSON.stringify(result)) <= maxResultBytes) return result;
  const body = result.body as Record<string, unknown> & { metadata?: Record<string, unknown> | null };
  const metadata = body.metadata
    ? Object.fromEntries(
        [
          'uploadId',
          'filename',
          'originalFilename',
          'size',
          'checksum',
          'timestamp',
          'fileType',
          'filepath',
          'reportPath',
        ]
          .filter((key) => body.metadata?.[key] !== undefined)
          .map((key) => [key, body.metadata?.[key]]),
      )
    : body.metadata;
  const slim: Record<string, unknown> = {
    ...body,
    metadata,
    ...(Array.isArray(body.errors) ? { errors: body.errors.slice(0, 3).map(shortened) } : {}),
    ...(Array.isArray(body.warnings) ? { warnings: [] } : {}),
    ...(Array.isArray(body.threats) ? { threats: body.threats.slice(0, 3).map(shortened) } : {}),
    resultTruncated:
      'The full result was too large to keep with the upload; the report at reportPath has everything.',
  };
  if (typeof slim.message === 'string' && slim.message.length > 2000)
    slim.message = `${slim.message.slice(0, 2000)}…`;
  return { statusCode: result.statusCode, body: slim };
}

export async function recordOutcome(
  deps: CompletionDeps,
  uploadId: string,
  outcome: Outcome,
  log: Logger,
): Promise<CompletionResult | undefined> {
  const { to, now } = outcome;
  const result = boundedResult(outcome.result);
  try {
    await deps.sessions.transition(uploadId, {
      from: ['processing'],
      to,
      set: { result, updatedAt: now, ttl: Math.ceil((now + deps.config.resultRetentionMs) / 1000) },
    });
    log.info('outcome recorded', { state: to, statusCode: result.statusCode });
    await publishOutcomeEvent(deps, uploadId, log);
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
    await publishOutcomeEvent(deps, uploadId, log);
    return current.result;
  }
}
