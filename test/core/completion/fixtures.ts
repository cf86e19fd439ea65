/**
 * Test fixtures for the completion workflow: in-memory ports with a fixed clock, an upload
 * seeded the way the chunk endpoint leaves it, and a runner that calls the task functions in the
 * order and with the state the state machine gives them (see `lambdas/workflow/tasks.ts`).
 */
import { randomUUID } from 'node:crypto';
import { InMemoryObjectStore } from '../../../lambdas/adapters/in-memory-object-store.js';
import { InMemorySessionRepository } from '../../../lambdas/adapters/in-memory-session-repository.js';
import type { VirusScan } from '../../../lambdas/analysis/scan/virus-types.js';
import { analyzeUpload } from '../../../lambdas/core/completion/analyze-upload.js';
import { assembleBatch } from '../../../lambdas/core/completion/assemble-batch.js';
import type { CompletionDeps } from '../../../lambdas/core/completion/completion-deps.js';
import { finishAssembly } from '../../../lambdas/core/completion/finish-assembly.js';
import { notifyPublishedUpload } from '../../../lambdas/core/completion/notify-downstream.js';
import { planAssembly } from '../../../lambdas/core/completion/plan-assembly.js';
import { publishFile } from '../../../lambdas/core/completion/publish-file.js';
import { recordCompletion } from '../../../lambdas/core/completion/record-completion.js';
import { recordFailure } from '../../../lambdas/core/completion/record-failure.js';
import { recordRejection } from '../../../lambdas/core/completion/record-rejection.js';
import { scanForMalware } from '../../../lambdas/core/completion/scan-malware.js';
import { keys } from '../../../lambdas/core/keys.js';
import type { UploadSession } from '../../../lambdas/core/model.js';
import type { MalwareScanner } from '../../../lambdas/core/ports.js';
import { createLogger } from '../../../lambdas/runtime/logger.js';
import type {
  AssembledFile,
  AssemblyPlan,
  FailureState,
  PublishedFile,
  Verification,
  WorkflowInput,
} from '../../../lambdas/workflow/contract.js';
import { sha256Hex } from '../../support/bytes.js';
import { ScannerDouble } from '../../support/scanner-double.js';

export const MiB = 1024 * 1024;
export const fixedNow = Date.parse('2030-01-02T03:04:05.000Z');
export const resultRetentionMs = 30 * 86_400_000;

export interface TestDeps extends CompletionDeps {
  sessions: InMemorySessionRepository;
  objects: InMemoryObjectStore;
  clock: { now: () => number };
  /** Every log line written, parsed. */
  logLines: Record<string, unknown>[];
  /** What `runWorkflow`'s ScanForMalware step uses. */
  scanner: MalwareScanner;
}

export function createDeps(): TestDeps {
  const logLines: Record<string, unknown>[] = [];
  return {
    sessions: new InMemorySessionRepository(),
    objects: new InMemoryObjectStore('test-bucket'),
    clock: { now: () => fixedNow },
    // Tasks called one by one skip ScanForMalware: their files count as not scanned, which
    // the `report` policy lets through (the quarantine default is tested in scan-malware.test.ts).
    config: { resultRetentionMs, malwareUnscannedPolicy: 'report' },
    logger: createLogger({}, 'debug', (line) => logLines.push(JSON.parse(line))),
    logLines,
    scanner: new ScannerDouble(),
  };
}

export { patternBytes as fileBytes, sha256Hex } from '../../support/bytes.js';

/** A deterministic shuffle of `0..n-1`. */
export function shuffledIndices(n: number, seed = 7): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = x % (i + 1);
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return indices;
}

export interface SeedOptions {
  bytes: Uint8Array;
  chunkSize: number;
  /**
   * The file's name. The default, `shard.dat`, is no dataset, model or archive name: AnalyzeFile
   * only hashes it, so arbitrary bytes publish. A dataset name (`train.jsonl`) needs dataset bytes.
   */
  filename?: string;
  /** The checksum declared at init (lowercase hex sha256), if any. */
  checksum?: string;
  /** init's `schema`, `purpose` and `metadata`, if any. */
  schema?: string;
  purpose?: string;
  metadata?: Record<string, unknown>;
  /** Chunk indices that never arrive. */
  missing?: readonly number[];
  /** Leave the session `uploading` instead of `processing`. */
  uploading?: boolean;
}

/**
 * An upload whose chunks were stored in random order and which `complete` moved to
 * `processing`: the state the workflow starts from.
 */
export async function seedUpload(deps: TestDeps, options: SeedOptions): Promise<UploadSession> {
  const { bytes, chunkSize, filename = 'shard.dat', checksum, missing = [], uploading = false } = options;
  const uploadId = randomUUID();
  const totalChunks = Math.ceil(bytes.length / chunkSize);
  await deps.sessions.create({
    uploadId,
    owner: 'local',
    originalFilename: filename,
    filename,
    totalSize: bytes.length,
    chunkSize,
    totalChunks,
    checksum,
    schema: options.schema,
    purpose: options.purpose,
    clientMetadata: options.metadata,
    state: 'uploading',
    receivedCount: 0,
    createdAt: fixedNow - 60_000,
    updatedAt: fixedNow - 60_000,
    expiresAt: fixedNow + 86_400_000,
    ttl: Math.ceil((fixedNow + 86_400_000) / 1000),
  });
  for (const index of shuffledIndices(totalChunks)) {
    if (missing.includes(index)) continue;
    const chunk = bytes.subarray(index * chunkSize, Math.min((index + 1) * chunkSize, bytes.length));
    const sha256 = sha256Hex(chunk);
    await deps.sessions.claimChunk(uploadId, {
      index,
      size: chunk.length,
      sha256,
      status: 'pending',
      receivedAt: fixedNow,
    });
    await deps.objects.put(keys.chunk(uploadId, index), chunk);
    await deps.sessions.markChunkStored(uploadId, index, sha256);
  }
  if (uploading) return (await deps.sessions.get(uploadId)) as UploadSession;
  return deps.sessions.transition(uploadId, {
    from: ['uploading'],
    to: 'processing',
    set: { processingStartedAt: fixedNow, updatedAt: fixedNow },
  });
}

/** Runs `work` over `items`, at most `limit` at once (the Map state's MaxConcurrency). */
async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The state machine's flow, as plain calls: each task's result lands at its ResultPath, a
 * failed verification goes to RecordRejection, and any task error is caught into `$.error`
 * for RecordFailure (as `Catch States.ALL` does, with the error's name and message as Cause).
 */
export interface WorkflowRun extends WorkflowInput {
  plan?: AssemblyPlan;
  assembled?: AssembledFile;
  malware?: VirusScan;
  verification?: Verification;
  published?: PublishedFile;
  error?: FailureState['error'];
}

export async function runWorkflow(deps: TestDeps, uploadId: string): Promise<WorkflowRun> {
  const state: WorkflowRun = { uploadId };
  try {
    const plan = await planAssembly(deps, { uploadId });
    state.plan = plan;
    await forEachBounded(plan.batches, 8, (batch) =>
      assembleBatch(deps, {
        uploadId,
        multipartUploadId: plan.multipartUploadId,
        stagingKey: plan.stagingKey,
        batch,
      }),
    );
    const assembled = await finishAssembly(deps, { uploadId, plan });
    state.assembled = assembled;
    const malware = await scanForMalware(deps, deps.scanner, { uploadId, plan, assembled });
    state.malware = malware;
    const verification = await analyzeUpload(deps, { uploadId, plan, assembled, malware });
    state.verification = verification;
    if (verification.ok) {
      const published = await publishFile(deps, { uploadId, plan, assembled, verification });
      state.published = published;
      const notified = await notifyPublishedUpload(deps, {
        uploadId,
        plan,
        assembled,
        verification,
        published,
      });
      await recordCompletion(deps, { uploadId, plan, assembled, verification, published, notified });
    } else {
      await recordRejection(deps, { uploadId, plan, assembled, verification });
    }
  } catch (error) {
    const { name, message, stack } = error as Error;
    const caught = {
      Error: name,
      Cause: JSON.stringify({ errorType: name, errorMessage: message, trace: stack }),
    };
    state.error = caught;
    await recordFailure(deps, { ...state, error: caught });
  }
  return state;
}
