import { publishOutcomeEventBestEffort } from './downstream/publish-events.js';
import { ConditionFailedError, UploadStateConflictError } from './errors.js';
import { keys } from './keys.js';
import { releaseOpenUpload } from './open-uploads.js';
import { goneError, loadLiveSession, loadSession } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

export interface AbortUploadResult {
  success: true;
  uploadId: string;
  state: 'aborted';
  deletedChunks: number;
  message: string;
}

/**
 * Aborts an open upload: the session becomes `aborted` first (so no new chunk is accepted and
 * `complete` cannot start), then the chunk objects are deleted. A chunk request already past its
 * checks may still land an object afterwards; the S3 lifecycle rule on `uploads/` removes it.
 * `Upload Aborted` is published once the chunks are gone; if that publish fails, the answer is
 * still 200 and the next request for the upload publishes it (`loadLiveSession`).
 */
export async function abortUpload(
  deps: UploadDeps,
  uploadId: string,
  owner: string,
): Promise<AbortUploadResult> {
  // Like every endpoint, an upload past its expiry answers 410 (its chunks go by lifecycle rule).
  await loadLiveSession(deps, uploadId, owner);
  const now = deps.clock.now();
  try {
    await deps.sessions.transition(uploadId, { from: ['uploading'], to: 'aborted', set: { updatedAt: now } });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const current = await loadSession(deps, uploadId, owner);
    if (current.state === 'aborted' || current.state === 'expired') throw goneError(current);
    throw new UploadStateConflictError(
      `Upload ${uploadId} is ${current.state} and can no longer be aborted.`,
      { uploadId, state: current.state },
    );
  }
  await releaseOpenUpload(deps, owner, uploadId);
  const chunks = await deps.sessions.listChunks(uploadId);
  await deps.objects.delete(chunks.map((chunk) => keys.chunk(uploadId, chunk.index)));
  await publishOutcomeEventBestEffort(deps, uploadId);
  return {
    success: true,
    uploadId,
    state: 'aborted',
    deletedChunks: chunks.length,
    message: `Upload ${uploadId} was aborted and its ${chunks.length} chunks were deleted.`,
  };
}
