import type { CompletionResult, UploadState } from './model.js';
import { isFinalState } from './model.js';
import { allIndices, goneError, isPastExpiry, loadSession } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

export interface UploadStatus {
  uploadId: string;
  totalChunks: number;
  /** Indices of the stored chunks, ascending. */
  receivedChunks: number[];
  /** True once every chunk has been received (the old service's meaning). */
  isComplete: boolean;
  state: UploadState;
  filename: string;
  totalSize: number;
  chunkSize: number;
  expiresAt: string;
  /** Once final: the body `complete` answers with. */
  result?: CompletionResult['body'];
}

/**
 * The status of an upload. Aborted and expired uploads answer 410 like every other endpoint.
 * Once `complete` has accepted an upload every chunk was present, so the indices are derived
 * instead of read back (the chunk records may already be gone).
 */
export async function getStatus(deps: UploadDeps, uploadId: string, owner: string): Promise<UploadStatus> {
  const session = await loadSession(deps, uploadId, owner);
  if (session.state === 'aborted' || session.state === 'expired' || isPastExpiry(deps, session)) {
    throw goneError(session);
  }
  const receivedChunks =
    session.state === 'uploading'
      ? (await deps.sessions.listChunks(uploadId)).filter((c) => c.status === 'stored').map((c) => c.index)
      : allIndices(session.totalChunks);
  return {
    uploadId,
    totalChunks: session.totalChunks,
    receivedChunks,
    isComplete: receivedChunks.length === session.totalChunks,
    state: session.state,
    filename: session.filename,
    totalSize: session.totalSize,
    chunkSize: session.chunkSize,
    expiresAt: new Date(session.expiresAt).toISOString(),
    ...(isFinalState(session.state) && session.result ? { result: session.result.body } : {}),
  };
}
