/**
 * `NotifyDownstream`: tells the fine-tuning pipeline and the data-curation system about a
 * published upload. A target that fails (after its own retries) does not fail the upload: its
 * file is published and safe, so the target is recorded `failed` in the result's
 * `notifications`, `RecordCompletion` publishes `Notification Failed`, and
 * `POST /api/upload/{uploadId}/notify` sends it again.
 *
 * Idempotent per target: what each target answered is kept on the session (`notifications`),
 * and a target already `started` or `delivered` is never asked again - not by a retried task,
 * not by a re-send. The targets' own idempotency keys (`{uploadId}:fine-tuning`,
 * `{uploadId}:data-curation`) cover a crash between a target's answer and that write.
 */
import type { AnalysisReport, SchemaFamily } from '../../analysis/types.js';
import type { Logger } from '../../runtime/logger.js';
import { readReport } from '../completion/report-summary.js';
import { keys } from '../keys.js';
import type { UploadSession } from '../model.js';
import type { Clock, ObjectStore, SessionRepository } from '../ports.js';
import type {
  CurationDelivery,
  CurationNotifier,
  DownstreamDeps,
  FineTuningJobRequest,
  FineTuningLauncher,
} from './ports.js';
import { type NotificationStatus, parseS3Uri } from './upload-events.js';

export const notificationTargets = { fineTuning: 'fine-tuning', curation: 'data-curation' } as const;

/** Schema families whose records are fine-tuning examples. */
export const fineTuningFamilies: readonly SchemaFamily[] = ['chat', 'prompt_completion', 'preference'];

/** A dataset goes to fine-tuning when its records are of a fine-tuning family or init said `purpose: "fine-tune"`. */
export function wantsFineTuning(
  session: Pick<UploadSession, 'purpose'>,
  schemaFamily: string | null,
): boolean {
  return (
    session.purpose === 'fine-tune' ||
    (schemaFamily !== null && (fineTuningFamilies as readonly string[]).includes(schemaFamily))
  );
}

export interface NotifyDeps {
  sessions: SessionRepository;
  objects: ObjectStore;
  clock: Clock;
  downstream?: Omit<DownstreamDeps, 'events'>;
}

export interface NotifyOutcome {
  /** The fine-tuning job's id (SQS message id or Bedrock job ARN), or null when none was started. */
  downstreamJobId: string | null;
  notifications: NotificationStatus[];
}

/** Starts a fine-tuning job for a published dataset; answers its id. */
export async function notifyFineTuningPipeline(
  launcher: FineTuningLauncher,
  request: FineTuningJobRequest,
): Promise<string> {
  return launcher.start(request);
}

/** Delivers the signed webhook to the data-curation system; answers the id it returned, if any. */
export async function notifyDataCurationSystem(
  notifier: CurationNotifier,
  delivery: CurationDelivery,
): Promise<string | null> {
  return (await notifier.deliver(delivery)).id;
}

/** What a target reports as the reason: the error's message, bounded, no stack. */
const reasonOf = (error: unknown): string =>
  (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);

async function attempt(
  target: string,
  previous: NotificationStatus | undefined,
  now: () => string,
  send: () => Promise<{ status: 'started' | 'delivered'; id: string | null }>,
  log: Logger,
): Promise<NotificationStatus> {
  // Idempotent per target: a target that took the notification is not asked again.
  if (previous && previous.status !== 'failed') return previous;
  try {
    const { status, id } = await send();
    log.info('downstream notified', { target, status, id });
    return { target, status, id, at: now() };
  } catch (error) {
    log.warn('downstream notification failed', { target, error });
    return { target, status: 'failed', error: reasonOf(error), at: now() };
  }
}

/** The request a fine-tuning target gets for a published upload, built from the session and the stored report. */
export function fineTuningRequest(
  session: UploadSession,
  published: { bucket: string; key: string },
  report: AnalysisReport | undefined,
  reportLocation: string | null,
): FineTuningJobRequest {
  return {
    idempotencyKey: `${session.uploadId}:${notificationTargets.fineTuning}`,
    uploadId: session.uploadId,
    owner: session.owner,
    bucket: published.bucket,
    key: published.key,
    s3Uri: `s3://${published.bucket}/${published.key}`,
    sha256: report?.sha256 ?? session.checksum ?? '',
    size: report?.size ?? session.totalSize,
    schemaFamily: report?.dataset?.schemaFamily ?? null,
    recordCount: report?.dataset?.recordCount ?? null,
    purpose: session.purpose ?? null,
    reportLocation,
  };
}

/**
 * Notifies every configured target of a published upload and records the outcome on the session.
 * `filepath` is the published `s3://` location.
 */
export async function notifyDownstream(
  deps: NotifyDeps,
  session: UploadSession,
  filepath: string,
  log: Logger,
): Promise<NotifyOutcome> {
  const published = parseS3Uri(filepath);
  if (!published) throw new Error(`Upload ${session.uploadId} has no published file location (${filepath})`);
  const reportKey = keys.completedReport(session.uploadId);
  const report = await readReport(deps.objects, reportKey);
  const reportLocation = report ? `s3://${deps.objects.bucket}/${reportKey}` : null;
  const request = fineTuningRequest(session, published, report, reportLocation);
  const previous = new Map((session.notifications ?? []).map((n) => [n.target, n]));
  const now = () => new Date(deps.clock.now()).toISOString();
  const { fineTuning, curation } = deps.downstream ?? {};

  const fineTuningTarget =
    fineTuning && wantsFineTuning(session, request.schemaFamily)
      ? attempt(
          notificationTargets.fineTuning,
          previous.get(notificationTargets.fineTuning),
          now,
          async () => ({ status: 'started', id: await notifyFineTuningPipeline(fineTuning, request) }),
          log,
        )
      : undefined;
  const curationTarget = curation
    ? attempt(
        notificationTargets.curation,
        previous.get(notificationTargets.curation),
        now,
        async () => {
          // The fine-tuning job's id goes along when there is one, so the curation system can link them.
          const jobId = (await fineTuningTarget)?.id ?? null;
          const id = await notifyDataCurationSystem(curation, {
            idempotencyKey: `${session.uploadId}:${notificationTargets.curation}`,
            body: {
              version: '1',
              type: 'upload.completed',
              ...request,
              idempotencyKey: `${session.uploadId}:${notificationTargets.curation}`,
              downstreamJobId: jobId,
            },
          });
          return { status: 'delivered', id };
        },
        log,
      )
    : undefined;
  const notifications = (await Promise.all([fineTuningTarget, curationTarget])).filter(
    (n): n is NotificationStatus => n !== undefined,
  );
  await deps.sessions.update(session.uploadId, { notifications });
  const started = notifications.find(
    (n) => n.target === notificationTargets.fineTuning && n.status === 'started',
  );
  return { downstreamJobId: started?.id ?? null, notifications };
}
