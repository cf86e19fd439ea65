import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../bin/local/local-stack.js';
import { createAwsClients } from '../../lambdas/adapters/aws-clients.js';
import { S3ObjectStore } from '../../lambdas/adapters/s3-object-store.js';
import { ApiClient } from './api-client.js';

export interface TestStack {
  stack: LocalStack;
  api: ApiClient;
  dataDir: string;
  /** Reads an object straight from the S3 emulator through the real SDK client; `undefined` if missing. */
  readObject(key: string): Promise<Uint8Array | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack in-process on a free port with its data in a fresh temp folder. Malware
 * scanning is off unless the test turns it on (`MALWARE_SCANNER: 'auto'` with its own
 * CLAMAV_DATABASE_DIR): a developer's ClamAV with the full official signatures would otherwise
 * take half a minute to load for every stack.
 */
export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'upload-e2e-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    env: { LOG_LEVEL: 'warn', MALWARE_SCANNER: 'none', ...env },
  });
  const { s3 } = createAwsClients({ s3Endpoint: stack.s3Endpoint });
  const objects = new S3ObjectStore(s3, stack.bucketName);
  return {
    stack,
    api: new ApiClient(stack.url),
    dataDir,
    readObject: (key) => objects.getBytes(key),
    async stop() {
      s3.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
