/**
 * `SessionRepository` on one DynamoDB table, through the document client.
 *
 * ## Item layout
 *
 * | item    | pk                | sk                      | attributes                                  |
 * |---------|-------------------|-------------------------|---------------------------------------------|
 * | session | `UPLOAD#{uploadId}` | `SESSION`               | every `UploadSession` field (`result` as a map) |
 * | chunk   | `UPLOAD#{uploadId}` | `CHUNK#{index, 6+ digits}` | every `ChunkRecord` field, plus `ttl`       |
 *
 * One item per received chunk, not a set in the session item: a set of 10,000 indices plus the
 * session would approach the 400 KB item limit, and every chunk would contend on one item.
 * All items of an upload share the partition key, so one Query (`begins_with(sk, 'CHUNK#')`)
 * lists the chunks and the session item sorts apart from them. The index is zero-padded to at
 * least six digits so that the sort key orders chunks by index up to 999,999; beyond that the
 * key widens and the lexicographic order breaks, so `listChunks` sorts by the stored `index`
 * anyway (it reads every page before returning).
 *
 * ## Expiry and TTL
 *
 * Expiry is decided by the code (`expiresAt`, checked in `transition` with `notExpiredAt`).
 * The `ttl` attribute (epoch seconds) only lets DynamoDB TTL clean up behind it, days later.
 * A chunk item copies the session's `ttl` when it is claimed, so an upload's items disappear
 * together and a status read never sees a session whose chunk records are already gone. That
 * costs one strongly consistent read of the session's `ttl` per claim, which also refuses
 * claims for a session that does not exist (no orphan chunk items). A later change of the
 * session's `ttl` (through `update` or `transition`) is not copied to existing chunk items.
 *
 * ## Concurrency
 *
 * Every write that must be safe under races is one conditional single-item write
 * (PutItem/UpdateItem with a ConditionExpression): the local emulator, dynalite, has no
 * TransactWriteItems, PartiQL or ReturnValuesOnConditionCheckFailure, and the design does not
 * need them. A lost condition (`ConditionalCheckFailedException`) becomes the core's
 * `ConditionFailedError`, with the SDK error as `cause`.
 *
 * `markChunkStored` is two writes: the chunk item moves `pending -> stored` (conditional on
 * the status and the sha256), and only the caller whose write succeeded then adds 1 to the
 * session's `receivedCount`. A crash between the two leaves the count one short; that is why
 * the count is informative only and the chunk items are the authority (`complete` checks them).
 *
 * ## Listing by state
 *
 * `listByState` is a Scan of the whole table with a filter (session items in the given states):
 * its cost grows with every item ever written, chunks included. It serves the local stack's
 * expiry sweep on dynalite, which has neither TTL nor streams; a deployed table has no such
 * caller (the table's stream reports sessions that TTL deleted, `core/downstream/removed-sessions.ts`),
 * and a GSI on `state` would be the way if one were ever needed there.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../core/errors.js';
import type { ChunkRecord, UploadSession, UploadState } from '../core/model.js';
import type { ChunkClaim, SessionRepository, SessionTransition } from '../core/ports.js';

type SessionAttributes = Partial<Omit<UploadSession, 'uploadId' | 'state'>>;
type Item = Record<string, unknown>;

/** The sort key of a session item (the table's stream handler tells session items by it). */
export const sessionSortKey = 'SESSION';
const chunkSortKeyPrefix = 'CHUNK#';

const partitionKey = (uploadId: string): string => `UPLOAD#${uploadId}`;
const chunkSortKey = (index: number): string => `${chunkSortKeyPrefix}${String(index).padStart(6, '0')}`;

/**
 * The condition clauses every write is built from. Attribute names always go through `#name`
 * placeholders: `index`, `size`, `status`, `state` and `ttl` are DynamoDB reserved words.
 */
const clauses = {
  itemExists: 'attribute_exists(#pk)',
  itemMissing: 'attribute_not_exists(#pk)',
  chunkPending: '#status = :pending',
  sha256Matches: '#sha256 = :sha256',
  notExpired: '#expiresAt > :notExpiredAt',
  stateIn: (placeholders: readonly string[]): string => `#state IN (${placeholders.join(', ')})`,
};

const allOf = (...parts: string[]): string => parts.join(' AND ');

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; a lost condition becomes `ConditionFailedError` with the SDK error as cause. */
async function conditionally<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isConditionalCheckFailed(error)) throw new ConditionFailedError(message, { cause: error });
    throw error;
  }
}

/** A session item (from a read, or a stream record's image) as the core's session. */
export function toSession(item: Item): UploadSession {
  const { pk: _pk, sk: _sk, ...session } = item;
  return session as unknown as UploadSession;
}

function toChunkRecord(item: Item): ChunkRecord {
  return {
    index: item.index as number,
    size: item.size as number,
    sha256: item.sha256 as string,
    status: item.status as ChunkRecord['status'],
    receivedAt: item.receivedAt as number,
  };
}

/** `SET #a = :a, ...` for the defined attributes of `set` (undefined ones are left untouched). */
function setClause(set: SessionAttributes | undefined): {
  assignments: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const assignments: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(set ?? {})) {
    if (value === undefined) continue;
    assignments.push(`#set_${name} = :set_${name}`);
    names[`#set_${name}`] = name;
    values[`:set_${name}`] = value;
  }
  return { assignments, names, values };
}

export class DynamoDBSessionRepository implements SessionRepository {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(session: UploadSession): Promise<void> {
    await conditionally(`Session ${session.uploadId} already exists`, () =>
      this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...session, pk: partitionKey(session.uploadId), sk: sessionSortKey },
          ConditionExpression: clauses.itemMissing,
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      ),
    );
  }

  async get(uploadId: string): Promise<UploadSession | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partitionKey(uploadId), sk: sessionSortKey },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toSession(Item);
  }

  async claimChunk(uploadId: string, record: ChunkRecord): Promise<ChunkClaim> {
    const ttl = await this.sessionTtl(uploadId);
    try {
      // First writer wins: the put only succeeds while no item exists for this index.
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, ttl, pk: partitionKey(uploadId), sk: chunkSortKey(record.index) },
          ConditionExpression: clauses.itemMissing,
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Chunk items are never deleted while the session lives, so the winner is there to read.
    const existing = await this.getChunk(uploadId, record.index);
    if (existing === undefined) {
      throw new Error(`Chunk ${record.index} of ${uploadId} was claimed but cannot be read`);
    }
    return { claimed: false, existing };
  }

  async markChunkStored(uploadId: string, index: number, sha256: string): Promise<number> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partitionKey(uploadId), sk: chunkSortKey(index) },
          UpdateExpression: 'SET #status = :stored',
          ConditionExpression: allOf(clauses.itemExists, clauses.chunkPending, clauses.sha256Matches),
          ExpressionAttributeNames: { '#pk': 'pk', '#status': 'status', '#sha256': 'sha256' },
          ExpressionAttributeValues: { ':stored': 'stored', ':pending': 'pending', ':sha256': sha256 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Lost the condition: a repeat of an already counted move is a no-op, anything else is refused.
      const chunk = await this.getChunk(uploadId, index);
      if (chunk?.status === 'stored' && chunk.sha256 === sha256) {
        const session = await this.get(uploadId);
        if (session !== undefined) return session.receivedCount;
      }
      throw new ConditionFailedError(`Chunk ${index} of ${uploadId} is not pending with this sha256`, {
        cause: error,
      });
    }
    // Only the caller whose conditional write moved the chunk gets here: count it exactly once.
    const { Attributes } = await conditionally(`Session ${uploadId} does not exist`, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partitionKey(uploadId), sk: sessionSortKey },
          UpdateExpression: 'ADD #receivedCount :one',
          ConditionExpression: clauses.itemExists,
          ExpressionAttributeNames: { '#pk': 'pk', '#receivedCount': 'receivedCount' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Attributes?.receivedCount as number;
  }

  async listChunks(uploadId: string): Promise<ChunkRecord[]> {
    const chunks: ChunkRecord[] = [];
    let exclusiveStartKey: QueryCommandOutput['LastEvaluatedKey'];
    // A Query page holds at most 1 MB: a large upload's chunk items span several pages.
    do {
      const page: QueryCommandOutput = await this.documentClient.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :chunkPrefix)',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': partitionKey(uploadId), ':chunkPrefix': chunkSortKeyPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) chunks.push(toChunkRecord(item));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return chunks.sort((a, b) => a.index - b.index);
  }

  async transition(uploadId: string, transition: SessionTransition): Promise<UploadSession> {
    // `#state IN ()` is not a valid expression; no state is allowed, so the condition fails.
    if (transition.from.length === 0) throw new ConditionFailedError('A transition needs a from-state');
    const set = setClause(transition.set);
    const fromPlaceholders = transition.from.map((_, position) => `:from${position}`);
    const conditions = [clauses.itemExists, clauses.stateIn(fromPlaceholders)];
    const values: Record<string, unknown> = { ...set.values, ':to': transition.to };
    transition.from.forEach((state, position) => {
      values[`:from${position}`] = state;
    });
    const names: Record<string, string> = { ...set.names, '#pk': 'pk', '#state': 'state' };
    if (transition.notExpiredAt !== undefined) {
      conditions.push(clauses.notExpired);
      values[':notExpiredAt'] = transition.notExpiredAt;
      names['#expiresAt'] = 'expiresAt';
    }
    const { Attributes } = await conditionally(
      `Session ${uploadId} is missing, not ${transition.from.join(' or ')}, or expired`,
      () =>
        this.documentClient.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: partitionKey(uploadId), sk: sessionSortKey },
            UpdateExpression: `SET ${['#state = :to', ...set.assignments].join(', ')}`,
            ConditionExpression: allOf(...conditions),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
    );
    return toSession(Attributes ?? {});
  }

  async update(uploadId: string, set: SessionAttributes): Promise<void> {
    const clause = setClause(set);
    if (clause.assignments.length === 0) {
      // Nothing to write (an empty UpdateExpression is invalid), but a missing session is still an error.
      if ((await this.get(uploadId)) === undefined) {
        throw new ConditionFailedError(`Session ${uploadId} does not exist`);
      }
      return;
    }
    // The existence condition keeps UpdateItem from creating a stray, partial session item.
    await conditionally(`Session ${uploadId} does not exist`, () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partitionKey(uploadId), sk: sessionSortKey },
          UpdateExpression: `SET ${clause.assignments.join(', ')}`,
          ConditionExpression: clauses.itemExists,
          ExpressionAttributeNames: { ...clause.names, '#pk': 'pk' },
          ExpressionAttributeValues: clause.values,
        }),
      ),
    );
  }

  async listByState(states: readonly UploadState[]): Promise<UploadSession[]> {
    if (states.length === 0) return [];
    const placeholders = states.map((_, position) => `:state${position}`);
    const values: Record<string, unknown> = { ':session': sessionSortKey };
    states.forEach((state, position) => {
      values[`:state${position}`] = state;
    });
    const sessions: UploadSession[] = [];
    let exclusiveStartKey: ScanCommandOutput['LastEvaluatedKey'];
    // A Scan page reads at most 1 MB before filtering: a page may hold no match and still go on.
    do {
      const page: ScanCommandOutput = await this.documentClient.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: allOf('#sk = :session', clauses.stateIn(placeholders)),
          ExpressionAttributeNames: { '#sk': 'sk', '#state': 'state' },
          ExpressionAttributeValues: values,
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) sessions.push(toSession(item));
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return sessions;
  }

  /** The session's `ttl`, copied onto chunk items; `ConditionFailedError` when there is no session. */
  private async sessionTtl(uploadId: string): Promise<number> {
    const { Item } = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partitionKey(uploadId), sk: sessionSortKey },
        ProjectionExpression: '#ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) throw new ConditionFailedError(`Session ${uploadId} does not exist`);
    return Item.ttl as number;
  }

  private async getChunk(uploadId: string, index: number): Promise<ChunkRecord | undefined> {
    const { Item } = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partitionKey(uploadId), sk: chunkSortKey(index) },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toChunkRecord(Item);
  }
}
