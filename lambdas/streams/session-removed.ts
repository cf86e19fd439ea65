/**
 * `SessionRemovedEvents` (AWS only): the sessions table's stream, filtered to TTL deletes of
 * session items that still owe an event (`lib/session-removed-events.ts`), publishes that event:
 * `Upload Expired` for an upload that expired unseen (`core/downstream/removed-sessions.ts`).
 *
 * Reports failed records by sequence number (`ReportBatchItemFailures`): Lambda retries the batch
 * from the first failed record, and after the mapping's last retry sends its description to the
 * on-failure queue. Records that owe nothing are skipped, never failed.
 */
import type { DynamoDBStreamEvent, DynamoDBStreamHandler } from 'aws-lambda';
import { removedItemOf } from '../adapters/dynamodb-stream-records.js';
import { publishEventOfRemovedSession } from '../core/downstream/removed-sessions.js';
import { getDeps } from '../runtime/deps.js';
import { logger } from '../runtime/logger.js';

export const handler: DynamoDBStreamHandler = async (event: DynamoDBStreamEvent) => {
  const { events } = getDeps();
  const log = logger.child({ task: 'SessionRemovedEvents' });
  for (const record of event.Records) {
    const removed = removedItemOf(record);
    if (removed === undefined) continue;
    const uploadId = removed.session?.uploadId;
    try {
      await publishEventOfRemovedSession(events, removed, log.child({ uploadId }));
    } catch (error) {
      log.error('event of a removed session not published; the batch is retried from here', {
        uploadId,
        error,
      });
      // Everything from this record on is retried; the records before it are done.
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
};
