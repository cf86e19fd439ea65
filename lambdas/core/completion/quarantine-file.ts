/**
 * `QuarantineFile`: a file the analysis found dangerous (an unsafe pickle, ...) is moved with its
 * report under `quarantine/` - a prefix no consumer reads and no downstream notification names -
 * and the upload ends `quarantined` with a 422 result naming the threats. The chunks and the
 * staging copy are deleted: nothing dangerous stays where uploads are assembled or published.
 */

import { keys, s3Uri } from '../keys.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';
import { moveStagedFile } from './move-staged-file.js';
import { recordOutcome } from './record-outcome.js';
import { fileMetadata, readReport } from './report-summary.js';
import type { VerifiedState } from './workflow-states.js';

export async function quarantineFile(
  deps: CompletionDeps,
  state: VerifiedState,
): Promise<CompletionResult | undefined> {
  const { uploadId, verification } = state;
  const log = taskLogger(deps, 'QuarantineFile', uploadId);
  const session = await requireSession(deps, uploadId);
  const fileKey = keys.quarantine(uploadId, session.filename);
  const reportKey = keys.quarantineReport(uploadId);
  if (session.state === 'processing') {
    await moveStagedFile(deps, state, session, { fileKey, reportKey }, log);
  }
  const report = await readReport(deps.objects, reportKey);
  const threats = verification.threats ?? [];
  const now = deps.clock.now();
  const body = {
    success: false,
    state: 'quarantined',
    uploadId,
    code: 'QUARANTINED',
    message: `${session.filename} was quarantined: ${threats.join('; ') || 'it was found dangerous'}. It was not published and no downstream system was told; it is kept at ${s3Uri(deps.objects.bucket, fileKey)} for the operator.`,
    threats,
    quarantinePath: s3Uri(deps.objects.bucket, fileKey),
    reportPath: s3Uri(deps.objects.bucket, reportKey),
    filepath: null,
    metadata: fileMetadata(session, verification, now, report),
    downstreamJobId: null,
  };
  log.warn('file quarantined', { threats });
  return recordOutcome(deps, uploadId, { to: 'quarantined', result: { statusCode: 422, body }, now }, log);
}
