/**
 * `POST /api/upload/{uploadId}/notify`: sends a completed upload's notifications again. Only
 * the targets that have not taken it are asked (idempotent per target, see
 * `notify-downstream.ts`); the result `complete` and `status` answer gains the new
 * `downstreamJobId` and `notifications`, and each target that fails again publishes another
 * `Notification Failed`.
 */
import { type Logger, logger as rootLogger } from '../../runtime/logger.js';
import { UploadStateConflictError } from '../errors.js';
import { goneError, loadSession } from '../sessions.js';
import type { UploadDeps } from '../upload-deps.js';
import { type NotifyDeps, notifyDownstream } from './notify-downstream.js';
import { publishNotificationFailures } from './publish-events.js';
import type { NotificationStatus } from './upload-events.js';

export interface ResendResult {
  success: boolean;
  uploadId: string;
  downstreamJobId: string | null;
  notifications: NotificationStatus[];
  message: string;
}

export async function resendNotifications(
  deps: UploadDeps & NotifyDeps,
  uploadId: string,
  owner: string,
  log: Logger = rootLogger.child({ uploadId }),
): Promise<ResendResult> {
  // Another owner's upload is answered as unknown: its existence is not revealed.
  const session = await loadSession(deps, uploadId, owner);
  if (session.state === 'aborted' || session.state === 'expired') throw goneError(session);
  const filepath = session.result?.body.filepath;
  if (session.state !== 'completed' || typeof filepath !== 'string') {
    throw new UploadStateConflictError(
      `Upload ${uploadId} is ${session.state}: only a completed upload notifies downstream systems.`,
      { uploadId, state: session.state },
    );
  }
  const outcome = await notifyDownstream(deps, session, filepath, log);
  const body = { ...session.result?.body, ...outcome };
  // completed -> completed: the result changes, the state does not (and no other state may be left).
  await deps.sessions.transition(uploadId, {
    from: ['completed'],
    to: 'completed',
    set: { result: { statusCode: session.result?.statusCode ?? 200, body } },
  });
  await publishNotificationFailures(deps, uploadId, outcome.notifications, log);
  const failed = outcome.notifications.filter((n) => n.status === 'failed');
  return {
    success: failed.length === 0,
    uploadId,
    ...outcome,
    message:
      outcome.notifications.length === 0
        ? `Upload ${uploadId} has no downstream target to notify.`
        : failed.length === 0
          ? `Every downstream target of upload ${uploadId} has been notified.`
          : `${failed.map((n) => n.target).join(', ')} could not be notified of upload ${uploadId}; try again later.`,
  };
}
