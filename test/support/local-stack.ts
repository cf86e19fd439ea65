import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type LocalStack, startLocalStack } from '../../bin/local/local-stack.js';
import { ApiClient } from './api-client.js';

export interface TestStack {
  stack: LocalStack;
  api: ApiClient;
  dataDir: string;
  /** Reads an object straight from the S3 emulator through the real SDK client. */
  readObject(key: string): Promise<Uint8Array | undefined>;
  stop(): Promise<void>;
}

/** Starts the local stack in-process on a free port with its data in a fresh temp folder. */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'upload-e2e-'));
  const stack = await startLocalStack({ dataDir, port: 0, env: { LOG_LEVEL: 'warn', ...env } });
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    stack,
    api: new ApiClient(stack.url),
    dataDir,
    async readObject(key) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: stack.bucketName, Key: key }));
        return await object.Body?.transformToByteArray();
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async stop() {
      s3.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
