import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InMemorySessionRepository } from '../../lambdas/adapters/in-memory-session-repository.js';
import { startTestEmulators, type TestEmulators } from '../support/emulators.js';
import {
  chunkFixture,
  describeSessionRepositoryContract,
  sessionFixture,
} from './session-repository-contract.js';

describeSessionRepositoryContract('in memory', () => new InMemorySessionRepository());

let emulators: TestEmulators;
beforeAll(async () => {
  emulators = await startTestEmulators();
});
afterAll(async () => {
  await emulators?.cleanup();
});

describeSessionRepositoryContract('DynamoDB on dynalite', () => emulators.sessions);

describe('DynamoDBSessionRepository item layout on dynalite', () => {
  it('copies the session ttl onto chunk items, so DynamoDB TTL removes an upload as a whole', async () => {
    const session = sessionFixture();
    await emulators.sessions.create(session);

    await emulators.sessions.claimChunk(session.uploadId, chunkFixture(42));

    const { Item } = await emulators.clients.documentClient.send(
      new GetCommand({
        TableName: emulators.tableName,
        Key: { pk: `UPLOAD#${session.uploadId}`, sk: 'CHUNK#000042' },
      }),
    );
    expect(Item).toMatchObject({ ...chunkFixture(42), ttl: session.ttl });
  });

  it('follows LastEvaluatedKey when the chunk items span several 1 MB Query pages', async () => {
    // Prepare: 12 chunk items of ~100 KB each (an extra attribute the adapter ignores) make
    // two pages; ~6,000 real chunk items would be needed for the same, far too slow here.
    const session = sessionFixture();
    await emulators.sessions.create(session);
    const padding = 'x'.repeat(100 * 1024);
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        emulators.clients.documentClient.send(
          new PutCommand({
            TableName: emulators.tableName,
            Item: {
              ...chunkFixture(index),
              ttl: session.ttl,
              padding,
              pk: `UPLOAD#${session.uploadId}`,
              sk: `CHUNK#${String(index).padStart(6, '0')}`,
            },
          }),
        ),
      ),
    );
    const send = vi.spyOn(emulators.clients.documentClient, 'send');

    // Act
    const chunks = await emulators.sessions.listChunks(session.uploadId);

    // Assess
    const queries = send.mock.calls.filter(([command]) => command instanceof QueryCommand);
    send.mockRestore();
    expect(queries.length).toBeGreaterThan(1);
    expect(chunks).toEqual(Array.from({ length: 12 }, (_, index) => chunkFixture(index)));
  });
});
