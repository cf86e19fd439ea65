import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBSessionRepository } from '../../lambdas/adapters/dynamodb-session-repository.js';
import { ConditionFailedError } from '../../lambdas/core/errors.js';
import { chunkFixture, sessionFixture } from './session-repository-contract.js';

const documentMock = mockClient(DynamoDBDocumentClient);
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const repository = new DynamoDBSessionRepository(documentClient, 'uploads');
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => {
  documentMock.reset();
});
afterAll(() => {
  documentMock.restore();
});

describe('DynamoDBSessionRepository with a mocked client', () => {
  it('turns ConditionalCheckFailedException into ConditionFailedError, keeping it as cause', async () => {
    // Prepare
    const sdkError = conditionFailed();
    documentMock.on(PutCommand).rejects(sdkError);

    // Act
    const error = await repository.create(sessionFixture()).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConditionFailedError);
    expect((error as ConditionFailedError).cause).toBe(sdkError);
  });

  it('passes any other error through unchanged', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    documentMock.on(UpdateCommand).rejects(throttled);

    await expect(repository.transition('u-1', { from: ['uploading'], to: 'processing' })).rejects.toBe(
      throttled,
    );
  });

  it('creates with attribute_not_exists on the session key', async () => {
    documentMock.on(PutCommand).resolves({});
    const session = sessionFixture();

    await repository.create(session);

    const input = documentMock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TableName: 'uploads',
      Item: { ...session, pk: `UPLOAD#${session.uploadId}`, sk: 'SESSION' },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('builds the transition condition from the from-states and the expiry instant', async () => {
    documentMock
      .on(UpdateCommand)
      .resolves({ Attributes: { pk: 'UPLOAD#u-1', sk: 'SESSION', state: 'processing' } });

    const session = await repository.transition('u-1', {
      from: ['uploading', 'processing'],
      to: 'processing',
      set: { processingStartedAt: 5, executionId: undefined },
      notExpiredAt: 5,
    });

    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe(
      'attribute_exists(#pk) AND #state IN (:from0, :from1) AND #expiresAt > :notExpiredAt',
    );
    expect(input?.UpdateExpression).toBe(
      'SET #state = :to, #set_processingStartedAt = :set_processingStartedAt',
    );
    expect(input?.ExpressionAttributeValues).toEqual({
      ':to': 'processing',
      ':from0': 'uploading',
      ':from1': 'processing',
      ':notExpiredAt': 5,
      ':set_processingStartedAt': 5,
    });
    expect(session).toEqual({ state: 'processing' });
  });

  it('answers the stored count without adding to it when the chunk is already stored with that sha256', async () => {
    // Prepare: the conditional chunk update loses because an earlier caller stored the chunk.
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    documentMock
      .on(GetCommand, { Key: { pk: 'UPLOAD#u-1', sk: 'CHUNK#000007' } })
      .resolves({ Item: { ...chunkFixture(7), status: 'stored' } })
      .on(GetCommand, { Key: { pk: 'UPLOAD#u-1', sk: 'SESSION' } })
      .resolves({
        Item: { ...sessionFixture({ uploadId: 'u-1', receivedCount: 4 }), pk: 'UPLOAD#u-1', sk: 'SESSION' },
      });

    // Act
    const count = await repository.markChunkStored('u-1', 7, chunkFixture(7).sha256);

    // Assess: one chunk update (lost), no ADD on the session.
    expect(count).toBe(4);
    expect(documentMock.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('adds 1 to receivedCount only after winning the pending -> stored update', async () => {
    documentMock
      .on(UpdateCommand, { Key: { pk: 'UPLOAD#u-1', sk: 'CHUNK#000007' } })
      .resolves({})
      .on(UpdateCommand, { Key: { pk: 'UPLOAD#u-1', sk: 'SESSION' } })
      .resolves({ Attributes: { receivedCount: 8 } });

    const count = await repository.markChunkStored('u-1', 7, chunkFixture(7).sha256);

    const [chunkUpdate, sessionUpdate] = documentMock
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input);
    expect(chunkUpdate?.ConditionExpression).toBe(
      'attribute_exists(#pk) AND #status = :pending AND #sha256 = :sha256',
    );
    expect(sessionUpdate).toMatchObject({
      UpdateExpression: 'ADD #receivedCount :one',
      ReturnValues: 'UPDATED_NEW',
    });
    expect(count).toBe(8);
  });

  it('follows LastEvaluatedKey through every Query page, with consistent reads', async () => {
    const lastKey = { pk: 'UPLOAD#u-1', sk: 'CHUNK#000001' };
    documentMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [chunkFixture(0), chunkFixture(1)], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [chunkFixture(2)] });

    const chunks = await repository.listChunks('u-1');

    const inputs = documentMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({ ConsistentRead: true, ExclusiveStartKey: undefined });
    expect(inputs[1]).toMatchObject({ ConsistentRead: true, ExclusiveStartKey: lastKey });
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2]);
  });

  it('never creates a session item through update: the write is conditional on the item existing', async () => {
    documentMock.on(UpdateCommand).rejects(conditionFailed());

    await expect(repository.update('missing', { executionId: 'arn' })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
    expect(documentMock.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_exists(#pk)',
    );
  });
});
