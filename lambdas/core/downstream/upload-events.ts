/**
 * The events an upload publishes, one per final state plus `Notification Failed`, and their
 * versioned detail schema (documented in `docs/events.md`). `source` is `resumable-upload`;
 * `detail-type` names what happened. The detail is built from the session and the result it
 * stored, so every publisher of a state (a workflow task, a route, a retry) sends the same one.
 *
 * Bounded: EventBridge takes events up to 256 KB, so finding summaries are counts and at most
 * {@link maxListed} names, never the findings themselves (the report has them).
 */
import type { UploadSession, UploadState } from '../model.js';

export const eventSource = 'resumable-upload';

/** Bumped on any incompatible change of {@link UploadEventDetail}; new optional fields do not bump it. */
export const eventSchemaVersion = '1';

export const detailTypes = {
  completed: 'Upload Completed',
  rejected: 'Upload Rejected',
  quarantined: 'Upload Quarantined',
  failed: 'Upload Failed',
  aborted: 'Upload Aborted',
  expired: 'Upload Expired',
  notificationFailed: 'Notification Failed',
} as const;

export type FinalUploadState = Exclude<UploadState, 'uploading' | 'processing'>;
export type DetailType = (typeof detailTypes)[keyof typeof detailTypes];

/** How one downstream target fared, as results and events carry it. */
export interface NotificationStatus {
  /** `fine-tuning` or `data-curation`. */
  target: string;
  /** `started` (a job was started), `delivered` (the webhook accepted it), `failed`. */
  status: 'started' | 'delivered' | 'failed';
  /** The job id, message id or the curation system's id, when there is one. */
  id?: string | null;
  /** Why it failed, in words (no stack traces). */
  error?: string;
  /** When the status was reached, ISO 8601. */
  at: string;
}

/** Finding summaries: totals and names only. */
export interface FindingsSummary {
  errorCount: number;
  warningCount: number;
  /** Error codes of the listed errors, with how often each was listed. */
  errorCodes: Record<string, number>;
  /** PII entity type -> occurrences. */
  pii: Record<string, number>;
  /** Credential rule id -> occurrences. */
  secrets: Record<string, number>;
  /** What made a quarantined file dangerous (at most 20). */
  threats: string[];
  /** Malware scan verdict: `clean`, `infected`, `not_scanned`, `error`, or null when not scanned at all. */
  malware: string | null;
}

/** The `detail` of every upload event, schema version 1. */
export interface UploadEventDetail {
  version: typeof eventSchemaVersion;
  /** `{uploadId}:{state}` (or `...:notification-failed:{target}:{at}`): the same on every re-send, for deduplication. */
  eventId: string;
  uploadId: string;
  owner: string;
  state: FinalUploadState;
  /** ISO 8601 instant the state was reached. */
  occurredAt: string;
  filename: string;
  originalFilename: string;
  /** Where the file is: published (completed), quarantine, staging (rejected), or null. */
  bucket: string | null;
  key: string | null;
  size: number;
  sha256: string | null;
  fileType: string | null;
  schemaFamily: string | null;
  recordCount: number | null;
  purpose: string | null;
  findings: FindingsSummary | null;
  /** `s3://` location of the full analysis report, when there is one. */
  reportLocation: string | null;
  /** The result's `code` (`DATASET_INVALID`, `QUARANTINED`, `WORKFLOW_FAILED`, ...), else null. */
  code: string | null;
  /** The result's message, cut to 1,000 characters. */
  message: string | null;
  downstreamJobId: string | null;
  notifications: NotificationStatus[];
  /** On `Notification Failed`: the target that failed. */
  failedTarget?: string;
}

export interface UploadEvent {
  detailType: DetailType;
  detail: UploadEventDetail;
}

const maxListed = 20;

/** `s3://bucket/key` -> `{bucket, key}`. */
export function parseS3Uri(uri: unknown): { bucket: string; key: string } | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

type Body = Record<string, unknown>;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

function countsOf(summary: unknown): Record<string, number> {
  const counts = (summary as { counts?: unknown } | undefined)?.counts;
  return counts && typeof counts === 'object' ? { ...(counts as Record<string, number>) } : {};
}

function findingsOf(body: Body, metadata: Body): FindingsSummary | null {
  const scan = (metadata.scan ?? {}) as Body;
  if (body.errorCount === undefined && body.warningCount === undefined && metadata.scan === undefined) {
    return null;
  }
  const errorCodes: Record<string, number> = {};
  for (const error of Array.isArray(body.errors) ? body.errors : []) {
    const code = str((error as Body).code);
    if (code) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  }
  const virus = scan.virus as Body | undefined;
  return {
    errorCount: num(body.errorCount) ?? 0,
    warningCount: num(body.warningCount) ?? num(metadata.warningCount) ?? 0,
    errorCodes,
    pii: countsOf(scan.pii),
    secrets: countsOf(scan.secrets),
    threats: (Array.isArray(body.threats) ? body.threats : [])
      .slice(0, maxListed)
      .map((threat) => String(threat).slice(0, 300)),
    malware: str(virus?.status),
  };
}

/** Where a final result says the file is. */
function fileLocationOf(body: Body): { bucket: string; key: string } | undefined {
  return parseS3Uri(body.filepath) ?? parseS3Uri(body.quarantinePath) ?? parseS3Uri(body.inspectionPath);
}

/**
 * The event of a session in a final state. Workflow states carry their result; aborted and
 * expired sessions have none, and their detail names the session only.
 */
export function outcomeEvent(session: UploadSession & { state: FinalUploadState }): UploadEvent {
  const body = (session.result?.body ?? {}) as Body;
  const metadata = (body.metadata ?? {}) as Body;
  const location = fileLocationOf(body);
  const notifications = Array.isArray(body.notifications) ? (body.notifications as NotificationStatus[]) : [];
  const message = str(body.message);
  return {
    detailType: detailTypes[session.state],
    detail: {
      version: eventSchemaVersion,
      eventId: outcomeEventId(session),
      uploadId: session.uploadId,
      owner: session.owner,
      state: session.state,
      occurredAt: new Date(session.updatedAt).toISOString(),
      filename: session.filename,
      originalFilename: session.originalFilename,
      bucket: location?.bucket ?? null,
      key: location?.key ?? null,
      size: num(metadata.size) ?? session.totalSize,
      sha256: str(metadata.checksum),
      fileType: str(metadata.fileType),
      schemaFamily: str(metadata.schemaFamily),
      recordCount: num(metadata.recordCount),
      purpose: session.purpose ?? null,
      findings: findingsOf(body, metadata),
      reportLocation: str(body.reportPath) ?? str(metadata.reportPath),
      code: str(body.code),
      message: message === null ? null : message.slice(0, 1000),
      downstreamJobId: str(body.downstreamJobId),
      notifications,
    },
  };
}

/** `Notification Failed` for one target of a completed upload. */
export function notificationFailedEvent(
  session: UploadSession & { state: FinalUploadState },
  failed: NotificationStatus,
): UploadEvent {
  const { detail } = outcomeEvent(session);
  return {
    detailType: detailTypes.notificationFailed,
    detail: {
      ...detail,
      eventId: `${session.uploadId}:notification-failed:${failed.target}:${failed.at}`,
      occurredAt: failed.at,
      failedTarget: failed.target,
    },
  };
}

/** The id of a final session's outcome event: one per upload and final state. */
export const outcomeEventId = (session: Pick<UploadSession, 'uploadId' | 'state'>): string =>
  `${session.uploadId}:${session.state}`;

/**
 * Whether a final session's outcome event is still to be published. Other events (a
 * `Notification Failed`) may be marked already: only the outcome's own id counts.
 */
export const outcomeEventPending = (
  session: Pick<UploadSession, 'uploadId' | 'state' | 'publishedEvents'>,
): boolean => !session.publishedEvents?.includes(outcomeEventId(session));
