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
 * Throttling high enough that no test which is not about it is ever throttled (tests send
 * hundreds of requests a second; the defaults are API Gateway's stage defaults, 100 and 200).
 */
export const unthrottled = { THROTTLE_RATE_LIMIT: '100000', THROTTLE_BURST_LIMIT: '100000' };

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
    env: { LOG_LEVEL: 'warn', MALWARE_SCANNER: 'none', ...unthrottled, ...env },
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
