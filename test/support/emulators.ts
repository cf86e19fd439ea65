/**
 * Starts the local stack's emulators (dynalite, s3rver) for one test file: a fresh temporary
 * data directory, random free ports, and the real adapters wired to them. Call `cleanup` in
 * `afterAll`; it stops both servers and removes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators } from '../../bin/local/emulators.js';
import { type AwsClients, createAwsClients } from '../../lambdas/adapters/aws-clients.js';
import { DynamoDBSessionRepository } from '../../lambdas/adapters/dynamodb-session-repository.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';

export interface TestEmulators {
  dataDir: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucketName: string;
  clients: AwsClients;
  sessions: DynamoDBSessionRepository;
  objects: S3ObjectStore;
  cleanup(): Promise<void>;
}

export async function startTestEmulators(
  names: { tableName?: string; bucketName?: string } = {},
): Promise<TestEmulators> {
  const tableName = names.tableName ?? 'uploads-test';
  const bucketName = names.bucketName ?? 'uploads-test';
  const dataDir = await mkdtemp(join(tmpdir(), 'upload-emulators-'));
  const emulators = await startEmulators({ dataDir, tableName, bucketName });
  const clients = createAwsClients(emulators);
  return {
    dataDir,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    s3Endpoint: emulators.s3Endpoint,
    tableName,
    bucketName,
    clients,
    sessions: new DynamoDBSessionRepository(clients.documentClient, tableName),
    // As the local stack does: s3rver ignores If-None-Match (s3-object-store.ts).
    objects: new S3ObjectStore(clients.s3, bucketName, { conditionalWrites: 'in-process' }),
    cleanup: async () => {
      // Closing the clients first releases their keep-alive sockets, so the servers close at once.
      clients.dynamodb.destroy();
      clients.s3.destroy();
      clients.sfn.destroy();
      await emulators.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
