/**
 * Moves the assembled file and its analysis report out of `staging/` to where the outcome puts
 * them (`completed/` when published, `quarantine/` when quarantined), then deletes everything the
 * upload left behind: the staging object and report, the part manifests and every chunk object.
 *
 * Idempotent: a retry after the copy and the deletes (or some of them) finds the staging object
 * gone but the destination there, and carries on deleting (deleting a missing key is no error).
 */
import type { Logger } from '../../runtime/logger.js';
import { keys } from '../keys.js';
import type { UploadSession } from '../model.js';
import type { CompletionDeps } from './completion-deps.js';
import type { PlannedState } from './workflow-states.js';

export interface Destination {
  fileKey: string;
  reportKey: string;
}

export async function moveStagedFile(
  deps: CompletionDeps,
  state: PlannedState & { assembled: { stagingKey: string } },
  session: UploadSession,
  to: Destination,
  log: Logger,
): Promise<number> {
  const { uploadId, plan, assembled } = state;
  if ((await deps.objects.head(assembled.stagingKey)) !== undefined) {
    await deps.objects.copy(assembled.stagingKey, to.fileKey);
  } else if ((await deps.objects.head(to.fileKey)) === undefined) {
    throw new Error(`Neither the staging object ${assembled.stagingKey} nor ${to.fileKey} exists`);
  } else {
    log.warn('staging object already moved; finishing the cleanup', { key: to.fileKey });
  }
  const stagingReport = keys.stagingReport(uploadId);
  if ((await deps.objects.head(stagingReport)) !== undefined) {
    await deps.objects.copy(stagingReport, to.reportKey);
  }
  const leftovers = [
    assembled.stagingKey,
    stagingReport,
    ...plan.batches.map((batch) => keys.partManifest(uploadId, batch.batchIndex)),
    ...Array.from({ length: session.totalChunks }, (_, index) => keys.chunk(uploadId, index)),
  ];
  await deps.objects.delete(leftovers);
  return leftovers.length;
}
