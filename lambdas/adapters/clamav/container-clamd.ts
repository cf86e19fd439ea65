/**
 * The scanner inside the AWS scanning function's container image (`docker/clamav/Dockerfile`):
 * at cold start it downloads the signatures `UpdateVirusDefinitions` keeps in S3 into /tmp and
 * starts clamd on them; a warm container reuses that clamd, checks the manifest again at most
 * every {@link recheckMs}, and reloads clamd when freshclam has published newer signatures.
 * No signatures in S3 yet (the update function has not run) means `not_scanned`, never clean.
 */
import type { Readable } from 'node:stream';
import type { VirusScan } from '../../analysis/scan/virus-types.js';
import type { MalwareScanner, ObjectStore } from '../../core/ports.js';
import type { ScannerEnv } from '../../runtime/malware-scanner.js';
import { clamdCommand } from './clamd-client.js';
import { type RunningClamd, startClamd } from './clamd-process.js';
import { ClamdScanner } from './clamd-scanner.js';
import { downloadDefinitions, readManifest } from './s3-definitions.js';

const databaseDir = '/tmp/clamav/db';
const recheckMs = 15 * 60_000;

export function containerScanner(objects: ObjectStore, env: ScannerEnv): MalwareScanner {
  let clamd: RunningClamd | undefined;
  let loadedAt: string | undefined;
  let checkedAt = 0;
  const limits = { timeoutMs: env.CLAMAV_TIMEOUT_SECONDS * 1000, maxBytes: env.CLAMAV_MAX_FILE_SIZE };

  /** A running clamd on the newest signatures, or the reason there is none. */
  async function ready(): Promise<RunningClamd | string> {
    if (clamd && clamd.process.exitCode === null && Date.now() - checkedAt < recheckMs) return clamd;
    checkedAt = Date.now();
    const manifest = await readManifest(objects);
    if (manifest === undefined) {
      return `No virus signatures in s3://${objects.bucket}/clamav/ yet (the UpdateVirusDefinitions function has not run), so the file was not scanned.`;
    }
    if (clamd && clamd.process.exitCode === null && manifest.updatedAt === loadedAt) return clamd;
    await downloadDefinitions(objects, databaseDir);
    if (clamd && clamd.process.exitCode === null) {
      await clamdCommand(clamd.address, 'RELOAD', 10_000);
    } else {
      await clamd?.stop();
      clamd = await startClamd({ databaseDir, maxBytes: limits.maxBytes, scanTimeoutMs: limits.timeoutMs });
    }
    loadedAt = manifest.updatedAt;
    return clamd;
  }

  return {
    async scan(stream: Readable, size: number): Promise<VirusScan> {
      let running: RunningClamd | string;
      try {
        running = await ready();
      } catch (error) {
        stream.destroy();
        return {
          status: 'error',
          engine: null,
          signatures: null,
          threats: [],
          reason: `The malware scanner could not be started, so the file was not scanned: ${error instanceof Error ? error.message : String(error)}.`,
        };
      }
      if (typeof running === 'string') {
        stream.destroy();
        return { status: 'not_scanned', engine: null, signatures: null, threats: [], reason: running };
      }
      return new ClamdScanner(running.address, limits).scan(stream, size);
    },
  };
}
