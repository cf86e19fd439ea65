/**
 * Reads a DynamoDB stream record of the sessions table as the core's `RemovedItem`. The old image
 * is in DynamoDB's attribute-value JSON; `unmarshall` turns it into the same plain item a `GetItem`
 * through the document client returns, so `toSession` maps both alike.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RemovedItem } from '../core/downstream/removed-sessions.js';
import { sessionSortKey, toSession } from './dynamodb-session-repository.js';

/**
 * The principal a stream record names when TTL deleted the item, with `userIdentity.type`
 * `Service` ("Time to Live (TTL)" in the DynamoDB developer guide). A delete by a user or the
 * application has no `userIdentity` at all.
 */
export const ttlPrincipal = 'dynamodb.amazonaws.com';

/** The deleted item of a REMOVE record; undefined for an INSERT or MODIFY. */
export function removedItemOf(record: DynamoDBRecord): RemovedItem | undefined {
  if (record.eventName !== 'REMOVE') return undefined;
  const identity = record.userIdentity as { type?: string; principalId?: string } | undefined;
  const deletedByTtl = identity?.type === 'Service' && identity.principalId === ttlPrincipal;
  const keys = record.dynamodb?.Keys;
  const image = record.dynamodb?.OldImage;
  const isSession = keys?.sk?.S === sessionSortKey && image !== undefined;
  return {
    deletedByTtl,
    session: isSession ? toSession(unmarshall(image as Parameters<typeof unmarshall>[0])) : undefined,
  };
}
