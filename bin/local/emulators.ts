/**
 * The embedded AWS emulators of the local stack, in this process: dynalite for DynamoDB and
 * s3rver for S3, both persisting under one data directory so uploads resume across restarts.
 *
 * - Both listen on 127.0.0.1 only. Port 0 (the default) picks a free port; the bound port is
 *   read back from the server (`server.address()`, which s3rver's `run()` resolves to).
 * - The table (pk S, sk S, on-demand) and the bucket are created when missing, so starting on
 *   an existing data directory is a no-op for both.
 * - One dynalite per data directory: a second LevelDB store on the same path crashes its
 *   process with an uncaught "Database is closed" (measured). So the data directory is locked
 *   with a pid file, `emulators.pid`: a start while a live process holds it is refused with an
 *   error naming that process; a pid file left by a crashed process is taken over.
 * - dynalite has no TTL expiry and s3rver no lifecycle rules: locally nothing is cleaned up
 *   behind the code's own expiry checks. See LOCAL-STACK-NOTES.md for what else they lack.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../../lambdas/adapters/aws-clients.js';

/** The names the local stack uses when the environment does not set TABLE_NAME / BUCKET_NAME. */
export const defaultLocalNames = { tableName: 'uploads', bucketName: 'uploads' } as const;

export interface EmulatorOptions {
  /** Root of the persisted state: `${dataDir}/dynamodb` and `${dataDir}/s3`. */
  dataDir: string;
  /** @default 0 - a free port */
  dynamodbPort?: number;
  /** @default 0 - a free port */
  s3Port?: number;
  tableName: string;
  bucketName: string;
}

export interface RunningEmulators {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** Closes both servers (and dynalite's LevelDB store). */
  stop(): Promise<void>;
}

// Neither package ships type declarations: these are the parts used here.
interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs: (string | Buffer)[] }[];
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
const S3rver = require('s3rver') as new (options: S3rverOptions) => S3rverInstance;

const host = '127.0.0.1';

function isRunning(pid: number): boolean {
  try {
    // Signal 0 only asks whether the process exists; nothing is sent to it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory's pid-file lock; resolves to the function that releases it. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'emulators.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (holder === process.pid || (holder > 0 && isRunning(holder))) {
      throw new Error(
        `The emulators' data directory ${dataDir} is in use by process ${holder}: one DynamoDB emulator per directory. Stop it or choose another directory.`,
      );
    }
    // Left behind by a process that is gone (or half written): take it over.
    await rm(lockPath, { force: true });
  }
  throw new Error(`Could not lock the emulators' data directory ${dataDir}`);
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveListen(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolveClose, reject) => {
    server.close((error) => (error ? reject(error) : resolveClose()));
    // Keep-alive sockets of SDK clients would hold close() open until they time out.
    server.closeIdleConnections();
  });
}

async function ensureTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    // Already there from an earlier run on this data directory.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // With createTableMs 0 the table turns ACTIVE on the next tick; wait for it all the same.
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await new Promise((wait) => setTimeout(wait, 10));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

/** Starts dynalite and s3rver on 127.0.0.1, with the table and the bucket ready to use. */
export async function startEmulators(options: EmulatorOptions): Promise<RunningEmulators> {
  const dynamodbPath = resolve(options.dataDir, 'dynamodb');
  const s3Path = resolve(options.dataDir, 's3');
  await mkdir(dynamodbPath, { recursive: true });
  await mkdir(s3Path, { recursive: true });
  const unlock = await lockDataDir(options.dataDir);

  const dynamodbServer = dynalite({
    path: dynamodbPath,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const stopDynamodb = async () => {
    await close(dynamodbServer);
  };
  let s3: S3rverInstance | undefined;
  try {
    const dynamodbAddress = await listen(dynamodbServer, options.dynamodbPort ?? 0);
    const dynamodbEndpoint = `http://${host}:${dynamodbAddress.port}`;

    s3 = new S3rver({
      address: host,
      port: options.s3Port ?? 0,
      directory: s3Path,
      silent: true,
      // Creates the bucket when missing; an existing bucket (a restart) is kept as is.
      configureBuckets: [{ name: options.bucketName, configs: [] }],
    });
    const s3Address = await s3.run();
    const s3Endpoint = `http://${host}:${s3Address.port}`;

    const { dynamodb } = createAwsClients({ dynamodbEndpoint });
    try {
      await ensureTable(dynamodb, options.tableName);
    } finally {
      dynamodb.destroy();
    }

    const running = s3;
    return {
      dynamodbEndpoint,
      s3Endpoint,
      stop: async () => {
        try {
          await Promise.all([running.close(), stopDynamodb()]);
        } finally {
          await unlock();
        }
      },
    };
  } catch (error) {
    await Promise.allSettled([s3?.close(), stopDynamodb()]);
    await unlock();
    throw error;
  }
}
