/**
 * `PublishFile`: copies the verified staging object to its published key under `completed/`
 * (the only prefix consumers read), with its analysis report next to it, then deletes everything
 * the upload left behind: the staging object and report, the part manifests and every chunk object.
 *
 * Idempotent: a retry after the copy and the deletes (or some of them) finds the staging object
 * gone but the published one there, and carries on deleting (deleting a missing key is no error).
 */
import type { PublishedFile } from '../../workflow/contract.js';
import { keys, s3Uri } from '../keys.js';
import { type CompletionDeps, requireProcessingSession, taskLogger } from './completion-deps.js';
import type { VerifiedState } from './workflow-states.js';

export async function publishFile(deps: CompletionDeps, state: VerifiedState): Promise<PublishedFile> {
  const { uploadId, plan, assembled } = state;
  const log = taskLogger(deps, 'PublishFile', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  const key = keys.completed(uploadId, session.filename);

  if ((await deps.objects.head(assembled.stagingKey)) !== undefined) {
    await deps.objects.copy(assembled.stagingKey, key);
  } else if ((await deps.objects.head(key)) === undefined) {
    throw new Error(
      `Neither the staging object ${assembled.stagingKey} nor the published object ${key} exists`,
    );
  } else {
    log.warn('staging object already published; finishing the cleanup');
  }

  const stagingReport = keys.stagingReport(uploadId);
  if ((await deps.objects.head(stagingReport)) !== undefined) {
    await deps.objects.copy(stagingReport, keys.completedReport(uploadId));
  }
  const leftovers = [
    assembled.stagingKey,
    stagingReport,
    ...plan.batches.map((batch) => keys.partManifest(uploadId, batch.batchIndex)),
    ...Array.from({ length: session.totalChunks }, (_, index) => keys.chunk(uploadId, index)),
  ];
  await deps.objects.delete(leftovers);
  log.info('file published', { key, deletedKeys: leftovers.length });
  return { key, filepath: s3Uri(deps.objects.bucket, key) };
}
