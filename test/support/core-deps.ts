import { InMemoryObjectStore } from '../../lambdas/adapters/in-memory-object-store.js';
import { InMemoryOpenUploadLedger } from '../../lambdas/adapters/in-memory-open-upload-ledger.js';
import { InMemorySessionRepository } from '../../lambdas/adapters/in-memory-session-repository.js';
import type { ExecutionStatus, WorkflowStarter } from '../../lambdas/core/ports.js';
import type { UploadDeps, UploadSettings } from '../../lambdas/core/upload-deps.js';

export class FakeClock {
  constructor(public time = Date.UTC(2026, 10, 28, 12, 0, 0)) {}
  now = () => this.time;
  advance(ms: number) {
    this.time += ms;
  }
}

/** Records starts and status queries; `onStart` and `onStatus` let a test play the workflow's part. */
export class RecordingWorkflow implements WorkflowStarter {
  readonly starts: string[] = [];
  /** The execution ids `status` was asked about, in order. */
  readonly statusQueries: string[] = [];
  /** What `status` answers for every execution. */
  executionStatus: ExecutionStatus = 'RUNNING';
  /** Runs before `status` answers, e.g. a record step of the workflow landing at that moment. */
  onStatus?: (executionId: string) => Promise<void> | void;
  async status(executionId: string): Promise<ExecutionStatus> {
    this.statusQueries.push(executionId);
    await this.onStatus?.(executionId);
    return this.executionStatus;
  }
  onStart?: (uploadId: string) => Promise<void> | void;
  async start(uploadId: string): Promise<string> {
    this.starts.push(uploadId);
    await this.onStart?.(uploadId);
    return `execution:${uploadId}`;
  }
}

export const testSettings: UploadSettings = {
  chunkSizeBytes: 1024,
  maxUploadSizeBytes: 1024 * 1024,
  sessionTtlMs: 3600_000,
  completeWaitMs: 0,
  resultRetentionMs: 30 * 86_400_000,
  maxOpenUploadsPerOwner: 1000,
  maxChunkCount: 100_000,
};

export function createCoreDeps(settings: Partial<UploadSettings> = {}) {
  const clock = new FakeClock();
  const workflow = new RecordingWorkflow();
  const deps = {
    sessions: new InMemorySessionRepository(),
    objects: new InMemoryObjectStore(),
    workflow,
    openUploads: new InMemoryOpenUploadLedger(),
    clock,
    config: { ...testSettings, ...settings },
    sleep: async (ms: number) => clock.advance(ms),
  } satisfies UploadDeps;
  return deps;
}

/** The stored result of a completed upload of `data.csv`, as the workflow's RecordCompletion writes it. */
export const completedResult = (uploadId: string) => ({
  statusCode: 200,
  body: {
    success: true,
    state: 'completed',
    uploadId,
    filepath: `s3://test-bucket/completed/${uploadId}/data.csv`,
  },
});
