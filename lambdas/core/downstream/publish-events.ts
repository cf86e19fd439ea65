/**
 * Publishing an upload's events exactly once, as near as a bus without transactions allows.
 *
 * The state change comes first (one conditional write decides the outcome); the event follows,
 * and its `eventId` is then added to the session's `publishedEvents`. Whoever finds the session
 * in a final state with its event not yet marked publishes it: the task's own retry, a later
 * task of the same execution (`RecordFailure` after a failed `RecordCompletion`), or the next
 * request for an aborted or expired upload. So an event is lost only if no one ever touches the
 * upload again after a publish failed, and sent twice only if a process dies between `PutEvents`
 * and the marking write; consumers deduplicate on `detail.eventId`, which every re-send repeats.
 */
import { type Logger, logger as rootLogger } from '../../runtime/logger.js';
import type { UploadSession } from '../model.js';
import { isFinalState } from '../model.js';
import type { SessionRepository } from '../ports.js';
import type { EventPublisher } from './ports.js';
import {
  type FinalUploadState,
  type NotificationStatus,
  notificationFailedEvent,
  outcomeEvent,
  type UploadEvent,
} from './upload-events.js';

export interface EventDeps {
  sessions: SessionRepository;
  /** Where events go; without it nothing is published (unit tests of unrelated behaviour). */
  events?: EventPublisher;
}

type FinalSession = UploadSession & { state: FinalUploadState };

const isFinal = (session: UploadSession | undefined): session is FinalSession =>
  session !== undefined && isFinalState(session.state);

/** Publishes the event unless the session marks it published; then marks it. Answers whether it sent. */
async function publishOnce(deps: EventDeps, session: UploadSession, event: UploadEvent): Promise<boolean> {
  if (!deps.events) return false;
  const { eventId } = event.detail;
  if (session.publishedEvents?.includes(eventId)) return false;
  await deps.events.publish(event);
  // Re-read so that marks written meanwhile (another event of the same upload) are kept.
  const current = await deps.sessions.get(session.uploadId);
  const marked = new Set([...(current?.publishedEvents ?? session.publishedEvents ?? []), eventId]);
  await deps.sessions.update(session.uploadId, { publishedEvents: [...marked] });
  return true;
}

/**
 * Publishes the event of the state the session is in now, if it is final and its event is not
 * marked published. Not the state the caller tried to record: an outcome that lost the race
 * publishes nothing of its own, but finishes the winner's publish if that is still missing.
 * Throws when the bus refuses (a workflow task is then retried).
 */
export async function publishOutcomeEvent(
  deps: EventDeps,
  uploadId: string,
  log: Logger = rootLogger.child({ uploadId }),
): Promise<void> {
  const session = await deps.sessions.get(uploadId);
  if (!isFinal(session)) return;
  const event = outcomeEvent(session);
  if (await publishOnce(deps, session, event)) {
    log.info('event published', { detailType: event.detailType, eventId: event.detail.eventId });
  }
}

/** Like {@link publishOutcomeEvent}, for the routes: a failure is logged, never answered (the next request retries). */
export async function publishOutcomeEventBestEffort(deps: EventDeps, uploadId: string): Promise<void> {
  const log = rootLogger.child({ uploadId });
  await publishOutcomeEvent(deps, uploadId, log).catch((error: unknown) => {
    log.error('event not published; the next request for this upload retries', { error });
  });
}

/** One `Notification Failed` event per failed target (each failed attempt is its own event). */
export async function publishNotificationFailures(
  deps: EventDeps,
  uploadId: string,
  notifications: readonly NotificationStatus[],
  log: Logger,
): Promise<void> {
  for (const failed of notifications.filter((notification) => notification.status === 'failed')) {
    const session = await deps.sessions.get(uploadId);
    if (!isFinal(session)) return;
    const event = notificationFailedEvent(session, failed);
    if (await publishOnce(deps, session, event)) {
      log.warn('notification failed', { target: failed.target, error: failed.error });
    }
  }
}
