/**
 * `RecordCompletion`: the published file's metadata becomes the upload's result, the body
 * `complete` answers 200 with (the original service's `{success, filepath, metadata,
 * downstreamJobId, message}`, plus `state` and `uploadId`).
 */
import type { CompletionState } from '../../workflow/contract.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';
import { recordOutcome } from './record-outcome.js';

export async function recordCompletion(
  deps: CompletionDeps,
  state: CompletionState,
): Promise<CompletionResult | undefined> {
  const { uploadId, verification, published } = state;
  const log = taskLogger(deps, 'RecordCompletion', uploadId);
  const session = await requireSession(deps, uploadId);
  const now = deps.clock.now();
  const body = {
    success: true,
    state: 'completed',
    uploadId,
    filepath: published.filepath,
    metadata: {
      uploadId,
      filename: session.filename,
      originalFilename: session.originalFilename,
      size: verification.size,
      checksum: verification.sha256,
      timestamp: new Date(now).toISOString(),
      fileType: verification.fileType,
      filepath: published.filepath,
      totalChunks: session.totalChunks,
      chunkSize: session.chunkSize,
      detectedBy: verification.detectedBy,
    },
    // No downstream notification exists yet; the id is null until events are sent.
    downstreamJobId: null,
    message: `File ${session.filename} uploaded, verified (sha256 ${verification.sha256}) and stored at ${published.filepath}.`,
  };
  return recordOutcome(deps, uploadId, { to: 'completed', result: { statusCode: 200, body }, now }, log);
}
