import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulators } from '../../bin/local/emulators.js';
import { createAwsClients } from '../../lambdas/adapters/aws-clients.js';
import { DynamoDBSessionRepository } from '../../lambdas/adapters/dynamodb-session-repository.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import { sessionFixture } from './session-repository-contract.js';

const names = { tableName: 'uploads', bucketName: 'uploads' };
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'local-emulators-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs `use` against freshly started emulators on `dataDir`, then stops them. */
async function withEmulators<T>(
  use: (adapters: { sessions: DynamoDBSessionRepository; objects: S3ObjectStore }) => Promise<T>,
): Promise<T> {
  const emulators = await startEmulators({ dataDir, ...names });
  const clients = createAwsClients(emulators);
  try {
    return await use({
      sessions: new DynamoDBSessionRepository(clients.documentClient, names.tableName),
      objects: new S3ObjectStore(clients.s3, names.bucketName),
    });
  } finally {
    clients.dynamodb.destroy();
    clients.s3.destroy();
    await emulators.stop();
  }
}

describe('startEmulators', () => {
  it('keeps sessions and objects across a restart on the same data directory', async () => {
    const session = sessionFixture();
    await withEmulators(async ({ sessions, objects }) => {
      await sessions.create(session);
      await objects.put('uploads/u-1/0.chunk', 'chunk zero');
    });

    const [stored, bytes] = await withEmulators(({ sessions, objects }) =>
      Promise.all([sessions.get(session.uploadId), objects.getBytes('uploads/u-1/0.chunk')]),
    );

    expect(stored).toEqual(session);
    expect(Buffer.from(bytes as Uint8Array).toString()).toBe('chunk zero');
  });

  it('refuses a second start on a data directory that is in use, naming the process', async () => {
    const running = await startEmulators({ dataDir, ...names });
    try {
      await expect(startEmulators({ dataDir, ...names })).rejects.toThrow(`in use by process ${process.pid}`);
    } finally {
      await running.stop();
    }
  });

  it('takes over a lock left behind by a process that is gone', async () => {
    // 2^22 + 1 is above Linux's default pid_max (4,194,304): no such process can exist.
    await writeFile(join(dataDir, 'emulators.pid'), String(4_194_305));

    const emulators = await startEmulators({ dataDir, ...names });
    await emulators.stop();
  });

  it('listens on 127.0.0.1 on free ports', async () => {
    const emulators = await startEmulators({ dataDir, ...names });
    await emulators.stop();

    expect(emulators.dynamodbEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulators.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulators.s3Endpoint).not.toBe(emulators.dynamodbEndpoint);
  });
});
