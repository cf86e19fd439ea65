/**
 * `RecordCompletion`: the published file's metadata becomes the upload's result, the body
 * `complete` answers 200 with (the original service's `{success, filepath, metadata,
 * downstreamJobId, message}`, plus `state` and `uploadId`).
 */
import type { CompletionState } from '../../workflow/contract.js';
import { keys, s3Uri } from '../keys.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';
import { recordOutcome } from './record-outcome.js';
import { fileMetadata, readReport, resultWarnings } from './report-summary.js';

export async function recordCompletion(
  deps: CompletionDeps,
  state: CompletionState,
): Promise<CompletionResult | undefined> {
  const { uploadId, verification, published } = state;
  const log = taskLogger(deps, 'RecordCompletion', uploadId);
  const session = await requireSession(deps, uploadId);
  const now = deps.clock.now();
  const reportKey = keys.completedReport(uploadId);
  const report = await readReport(deps.objects, reportKey);
  const body = {
    success: true,
    state: 'completed',
    uploadId,
    filepath: published.filepath,
    metadata: {
      ...fileMetadata(session, verification, now, report),
      filepath: published.filepath,
      warnings: resultWarnings(report),
      warningCount: verification.warningCount,
      reportPath: s3Uri(deps.objects.bucket, reportKey),
      lineage: {
        owner: session.owner,
        originalFilename: session.originalFilename,
        startedAt: new Date(session.createdAt).toISOString(),
        completedAt: new Date(now).toISOString(),
        sha256: verification.sha256,
        ...(session.purpose ? { purpose: session.purpose } : {}),
        ...(session.clientMetadata ? { clientMetadata: session.clientMetadata } : {}),
      },
    },
    // No downstream notification exists yet; the id is null until events are sent.
    downstreamJobId: null,
    message: `File ${session.filename} uploaded, verified (sha256 ${verification.sha256}) and stored at ${published.filepath}.`,
  };
  return recordOutcome(deps, uploadId, { to: 'completed', result: { statusCode: 200, body }, now }, log);
}
