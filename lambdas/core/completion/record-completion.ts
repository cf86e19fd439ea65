/**
 * `RecordCompletion`: the published file's metadata becomes the upload's result, the body
 * `complete` answers 200 with (the original service's `{success, filepath, metadata,
 * downstreamJobId, message}`, plus `state`, `uploadId` and `notifications`). Then the
 * `Upload Completed` event, and one `Notification Failed` per target that failed.
 */
import type { CompletionState } from '../../workflow/contract.js';
import { publishNotificationFailures } from '../downstream/publish-events.js';
import type { NotificationStatus } from '../downstream/upload-events.js';
import { keys, s3Uri } from '../keys.js';
import type { CompletionResult } from '../model.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';
import { recordOutcome } from './record-outcome.js';
import { fileMetadata, readReport, resultWarnings } from './report-summary.js';

/**
 * What `NotifyDownstream` answered; when the task itself failed (its Catch put `{Error}` at
 * `$.notifyError`), every target counts as failed, to be re-sent with `POST .../notify`.
 */
function notificationsOf(
  state: CompletionState,
  now: number,
): { downstreamJobId: string | null; notifications: NotificationStatus[] } {
  if (state.notified) return state.notified;
  if (!state.notifyError) return { downstreamJobId: null, notifications: [] };
  return {
    downstreamJobId: null,
    notifications: [
      {
        target: 'downstream',
        status: 'failed',
        error: `NotifyDownstream failed (${(state.notifyError.Error ?? 'UnknownError').slice(0, 100)})`,
        at: new Date(now).toISOString(),
      },
    ],
  };
}

export async function recordCompletion(
  deps: CompletionDeps,
  state: CompletionState,
): Promise<CompletionResult | undefined> {
  const { uploadId, verification, published } = state;
  const log = taskLogger(deps, 'RecordCompletion', uploadId);
  const session = await requireSession(deps, uploadId);
  const now = deps.clock.now();
  const reportKey = keys.completedReport(uploadId);
  const notified = notificationsOf(state, now);
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
    downstreamJobId: notified.downstreamJobId,
    notifications: notified.notifications,
    message: `File ${session.filename} uploaded, verified (sha256 ${verification.sha256}) and stored at ${published.filepath}.`,
  };
  const result = await recordOutcome(
    deps,
    uploadId,
    { to: 'completed', result: { statusCode: 200, body }, now },
    log,
  );
  await publishNotificationFailures(deps, uploadId, notified.notifications, log);
  return result;
}
