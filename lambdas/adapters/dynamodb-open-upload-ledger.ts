/**
 * `OpenUploadLedger` on the session table: one item per owner.
 *
 * | item         | pk              | sk             | attributes                                              |
 * |--------------|-----------------|----------------|---------------------------------------------------------|
 * | open uploads | `OWNER#{owner}` | `OPEN_UPLOADS` | `uploads`: map uploadId -> {expiresAt, reservedAt}; `version` |
 *
 * `reserve` is one conditional write on `version` (PutItem with `attribute_not_exists` for the
 * first, UpdateItem with `version = :expected` after), so of two concurrent reservations read at
 * the same version exactly one lands; the other gets `ConditionFailedError` and the core decides
 * again. `release` removes one map entry without touching the version: fewer entries can only
 * make a concurrent reservation's decision more conservative, never wrong.
 *
 * The item holds at most `MAX_OPEN_UPLOADS_PER_OWNER` (at most 1,000) entries plus the stale ones
 * the next reservation drops, about 80 bytes each: far below DynamoDB's 400 KB item limit.
 * Map keys are upload ids, passed as expression attribute names (never spliced into expressions).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../core/errors.js';
import type { OpenUploadEntry, OpenUploadLedger, OwnerOpenUploads } from '../core/ports.js';

const sortKey = 'OPEN_UPLOADS';
const partitionKey = (owner: string): string => `OWNER#${owner}`;

type StoredEntry = { expiresAt: number; reservedAt: number };

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export class DynamoDBOpenUploadLedger implements OpenUploadLedger {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(owner: string): Promise<OwnerOpenUploads> {
    const { Item } = await this.documentClient.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: partitionKey(owner), sk: sortKey },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return { entries: [], version: 0 };
    const uploads = (Item.uploads ?? {}) as Record<string, StoredEntry>;
    return {
      entries: Object.entries(uploads).map(([uploadId, entry]) => ({
        uploadId,
        expiresAt: Number(entry.expiresAt),
        reservedAt: Number(entry.reservedAt),
      })),
      version: Number(Item.version),
    };
  }

  async reserve(
    owner: string,
    expectedVersion: number,
    entry: OpenUploadEntry,
    drop: readonly string[],
  ): Promise<void> {
    const stored: StoredEntry = { expiresAt: entry.expiresAt, reservedAt: entry.reservedAt };
    try {
      if (expectedVersion === 0) {
        await this.documentClient.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: partitionKey(owner),
              sk: sortKey,
              owner,
              uploads: { [entry.uploadId]: stored },
              version: 1,
            },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk' },
          }),
        );
        return;
      }
      const names: Record<string, string> = {
        '#uploads': 'uploads',
        '#version': 'version',
        '#new': entry.uploadId,
      };
      const removals = drop
        .filter((uploadId) => uploadId !== entry.uploadId)
        .map((uploadId, position) => {
          names[`#drop${position}`] = uploadId;
          return `#uploads.#drop${position}`;
        });
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partitionKey(owner), sk: sortKey },
          UpdateExpression: `SET #uploads.#new = :entry, #version = :next${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':entry': stored,
            ':next': expectedVersion + 1,
            ':expected': expectedVersion,
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ConditionFailedError(
          `The open uploads of ${owner} changed since version ${expectedVersion}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  async release(owner: string, uploadId: string): Promise<void> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: partitionKey(owner), sk: sortKey },
          UpdateExpression: 'REMOVE #uploads.#id',
          // Without it, UpdateItem would create an empty record for an owner that has none.
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk', '#uploads': 'uploads', '#id': uploadId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
