/**
 * Events for sessions that DynamoDB TTL deleted (AWS): the table's stream hands each deleted
 * session's last image to `SessionRemovedEvents` (`lambdas/streams/session-removed.ts`), and an
 * upload that expired with nobody left to notice gets its `Upload Expired` here.
 *
 * Which deletes count: only TTL's own (the stream record's `userIdentity` is the DynamoDB
 * service); a session item only; and only a session whose event was never published: one still
 * `uploading` (it expired unseen), or one `expired` or `aborted` whose publish the bus refused and
 * no later request retried. Anything else was published where its state was reached. The event
 * source mapping's filter already drops the other records; this check is the authority, so a
 * record the filter let through by mistake publishes nothing.
 *
 * The detail is the one a request would have published (`outcomeEvent`, same `eventId`
 * `{uploadId}:expired`), with `occurredAt` the session's `expiresAt`, the instant it expired
 * (a request publishes the instant it noticed). Nothing can be marked published any more (the item
 * is gone), so a stream record delivered twice, or a batch retried after this record's publish
 * succeeded, sends the event twice; consumers deduplicate on `eventId` as everywhere else.
 */
import type { Logger } from '../../runtime/logger.js';
import type { UploadSession } from '../model.js';
import type { EventPublisher } from './ports.js';
import { type FinalUploadState, outcomeEvent, type UploadEvent } from './upload-events.js';

/** What a stream record says about one deleted item. */
export interface RemovedItem {
  /** True when DynamoDB TTL deleted the item (not a user or application delete). */
  deletedByTtl: boolean;
  /** The deleted session, from the record's old image; undefined for any other item. */
  session?: UploadSession;
}

/** The event a session TTL deleted still owes, if any. */
export function eventOwedByRemovedSession(removed: RemovedItem): UploadEvent | undefined {
  const session = removed.session;
  if (!removed.deletedByTtl || session === undefined) return undefined;
  if (session.state === 'uploading') {
    return outcomeEvent({ ...session, state: 'expired', updatedAt: session.expiresAt });
  }
  if (session.state !== 'expired' && session.state !== 'aborted') return undefined;
  const final = session as UploadSession & { state: FinalUploadState };
  const event = outcomeEvent(final);
  return session.publishedEvents?.includes(event.detail.eventId) ? undefined : event;
}

/** Publishes the event a TTL-deleted session still owes; throws when the bus refuses (the record is retried). */
export async function publishEventOfRemovedSession(
  events: EventPublisher,
  removed: RemovedItem,
  log: Logger,
): Promise<UploadEvent | undefined> {
  const event = eventOwedByRemovedSession(removed);
  if (event === undefined) return undefined;
  await events.publish(event);
  log.info('event published for a session TTL deleted', {
    uploadId: event.detail.uploadId,
    detailType: event.detailType,
    eventId: event.detail.eventId,
  });
  return event;
}
