/**
 * `FineTuningLauncher` for the local stack: a local job queue, one JSON line per job appended to
 * `.data/fine-tuning-jobs.jsonl`, each with a fresh job id (a UUID, like an SQS message id).
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FineTuningJobRequest, FineTuningLauncher } from '../core/downstream/ports.js';

export class JsonlFineTuningQueue implements FineTuningLauncher {
  readonly kind = 'local-queue';

  constructor(private readonly path: string) {}

  async start(request: FineTuningJobRequest): Promise<string> {
    const jobId = randomUUID();
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(
      this.path,
      `${JSON.stringify({ jobId, enqueuedAt: new Date().toISOString(), version: '1', ...request })}\n`,
    );
    return jobId;
  }
}
