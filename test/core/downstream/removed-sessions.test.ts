/**
 * `SessionRemovedEvents`, the handler of the sessions table's stream (AWS): a session that DynamoDB
 * TTL deleted while still `uploading` gets its one `Upload Expired`, with the detail a request
 * would have published; every other delete publishes nothing. Driven with stream records built
 * from sessions the core wrote to the in-memory ports.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortUpload } from '../../../lambdas/core/abort-upload.js';
import { initUpload } from '../../../lambdas/core/init-upload.js';
import type { UploadSession } from '../../../lambdas/core/model.js';
import { overrideDeps, resetDeps } from '../../../lambdas/runtime/deps.js';
import { handler } from '../../../lambdas/streams/session-removed.js';
import { createCoreDeps } from '../../support/core-deps.js';
import { RecordingEventPublisher } from '../../support/downstream-doubles.js';

let events: RecordingEventPublisher;
let sequence = 0;

beforeAll(() => {
  vi.stubEnv('TABLE_NAME', 'sessions');
  vi.stubEnv('BUCKET_NAME', 'files');
  vi.stubEnv('LOG_LEVEL', 'error');
});
beforeEach(() => {
  events = new RecordingEventPublisher();
  resetDeps();
  overrideDeps({ events });
});
afterAll(() => {
  resetDeps();
  vi.unstubAllEnvs();
});

const ttlDelete = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

/** A REMOVE record of an item of the table, as the stream delivers it with OLD_IMAGE. */
function removeRecord(
  item: Record<string, unknown>,
  sk: string,
  userIdentity: unknown = ttlDelete,
): DynamoDBRecord {
  const keys = { pk: `UPLOAD#${String(item.uploadId)}`, sk };
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName: 'REMOVE',
    eventSource: 'aws:dynamodb',
    ...(userIdentity ? { userIdentity } : {}),
    dynamodb: {
      Keys: marshall(keys) as never,
      OldImage: marshall({ ...item, ...keys }, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence).padStart(21, '0'),
      StreamViewType: 'OLD_IMAGE',
    },
  } as DynamoDBRecord;
}

const sessionRemoved = (session: UploadSession, userIdentity?: unknown) =>
  removeRecord(session as unknown as Record<string, unknown>, 'SESSION', userIdentity);

const invoke = (...records: DynamoDBRecord[]) =>
  handler({ Records: records } as DynamoDBStreamEvent, {} as Context, () => undefined);

async function openSession(owner = 'team-a') {
  const deps = { ...createCoreDeps(), events: new RecordingEventPublisher() };
  const { uploadId } = await initUpload(deps, { filename: 'train.jsonl', totalSize: 10, owner });
  return { deps, session: (await deps.sessions.get(uploadId)) as UploadSession };
}

describe('SessionRemovedEvents', () => {
  it('publishes Upload Expired once for an uploading session TTL deleted, as a request would have', async () => {
    // Prepare: the same session, once expired by a request, once deleted unseen by TTL.
    const { deps, session } = await openSession();
    deps.clock.advance(deps.config.sessionTtlMs);
    await expect(abortUpload(deps, session.uploadId, 'team-a')).rejects.toThrow(/expired/);
    const byRequest = deps.events.events[0]?.detail;

    // Act
    const result = await invoke(sessionRemoved(session));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(events.detailTypes).toEqual(['Upload Expired']);
    expect(events.events[0]?.detail).toEqual({
      ...byRequest,
      occurredAt: new Date(session.expiresAt).toISOString(),
    });
    expect(events.events[0]?.detail).toMatchObject({
      eventId: `${session.uploadId}:expired`,
      state: 'expired',
      owner: 'team-a',
    });
  });

  it('publishes the event of an expired session whose publish the bus refused', async () => {
    const { session } = await openSession();

    await invoke(sessionRemoved({ ...session, state: 'expired' }));

    expect(events.detailTypes).toEqual(['Upload Expired']);
  });

  it('publishes nothing for a final session or one whose event was published', async () => {
    const { session } = await openSession();

    await invoke(
      sessionRemoved({ ...session, state: 'completed', publishedEvents: [`${session.uploadId}:completed`] }),
      sessionRemoved({ ...session, state: 'failed' }),
      sessionRemoved({ ...session, state: 'processing' }),
      sessionRemoved({ ...session, state: 'expired', publishedEvents: [`${session.uploadId}:expired`] }),
      sessionRemoved({ ...session, state: 'aborted', publishedEvents: [`${session.uploadId}:aborted`] }),
    );

    expect(events.events).toEqual([]);
  });

  it('publishes nothing when a user or the application deleted the session', async () => {
    const { session } = await openSession();

    await invoke(
      sessionRemoved(session, null),
      sessionRemoved(session, { type: 'Service', principalId: 'backup.amazonaws.com' }),
    );

    expect(events.events).toEqual([]);
  });

  it('publishes nothing for chunk items and for records that are not deletes', async () => {
    const { session } = await openSession();
    const chunk = { uploadId: session.uploadId, index: 0, size: 10, sha256: 'ab', status: 'stored' };
    const modify = { ...sessionRemoved(session), eventName: 'MODIFY' } as DynamoDBRecord;

    await invoke(removeRecord(chunk, 'CHUNK#000000'), modify);

    expect(events.events).toEqual([]);
  });

  it('reports the record whose publish the bus refused, so the batch is retried from there', async () => {
    const first = (await openSession()).session;
    const second = (await openSession()).session;
    const failing = sessionRemoved(second);
    const publish = events.publish.bind(events);
    vi.spyOn(events, 'publish').mockImplementation(async (event) => {
      if (event.detail.uploadId === second.uploadId) throw new Error('EventBridge refused the entry');
      await publish(event);
    });

    const result = await invoke(sessionRemoved(first), failing, sessionRemoved(first));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber }] });
    expect(events.events.map((event) => event.detail.uploadId)).toEqual([first.uploadId]);
  });
});
