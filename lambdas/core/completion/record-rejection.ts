/**
 * `RecordRejection`: the file was assembled but failed verification. The upload ends
 * `rejected` with a 422 result naming what did not match; the assembled file stays at its
 * staging key (never under `completed/`) for inspection, and the chunks are kept until the
 * bucket's lifecycle rule removes them.
 */
import type { RejectionState } from '../../workflow/contract.js';
import { s3Uri } from '../keys.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';
import { recordOutcome } from './record-outcome.js';
import { fileMetadata, readReport, resultErrors, resultWarnings } from './report-summary.js';

export async function recordRejection(
  deps: CompletionDeps,
  state: RejectionState,
): Promise<CompletionResult | undefined> {
  const { uploadId, verification, assembled } = state;
  const log = taskLogger(deps, 'RecordRejection', uploadId);
  const session = await requireSession(deps, uploadId);
  const now = deps.clock.now();
  const report = await readReport(deps.objects, verification.reportKey);
  const body = {
    success: false,
    state: 'rejected',
    uploadId,
    code: verification.code ?? 'REJECTED',
    message: verification.reason ?? 'The file failed verification; nothing was published.',
    errors: resultErrors(report),
    errorCount: verification.errorCount,
    warnings: resultWarnings(report),
    warningCount: verification.warningCount,
    reportPath: s3Uri(deps.objects.bucket, verification.reportKey),
    filepath: null,
    metadata: {
      ...fileMetadata(session, verification, now, report),
      expectedSize: session.totalSize,
      expectedChecksum: session.checksum ?? null,
    },
    stagingKey: assembled.stagingKey,
    inspectionPath: s3Uri(deps.objects.bucket, assembled.stagingKey),
    downstreamJobId: null,
  };
  return recordOutcome(deps, uploadId, { to: 'rejected', result: { statusCode: 422, body }, now }, log);
}
