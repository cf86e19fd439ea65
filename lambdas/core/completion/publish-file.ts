/**
 * `PublishFile`: moves the verified staging object to its published key under `completed/` (the
 * only prefix consumers read), with its analysis report next to it, and cleans up behind it
 * (see `move-staged-file.ts`).
 */
import type { PublishedFile } from '../../workflow/contract.js';
import { keys, s3Uri } from '../keys.js';
import { type CompletionDeps, requireProcessingSession, taskLogger } from './completion-deps.js';
import { moveStagedFile } from './move-staged-file.js';
import type { VerifiedState } from './workflow-states.js';

export async function publishFile(deps: CompletionDeps, state: VerifiedState): Promise<PublishedFile> {
  const { uploadId } = state;
  const log = taskLogger(deps, 'PublishFile', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  const key = keys.completed(uploadId, session.filename);
  const deletedKeys = await moveStagedFile(
    deps,
    state,
    session,
    { fileKey: key, reportKey: keys.completedReport(uploadId) },
    log,
  );
  log.info('file published', { key, deletedKeys });
  return { key, filepath: s3Uri(deps.objects.bucket, key) };
}
