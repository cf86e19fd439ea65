/**
 * Loading a session for a request, with the checks every endpoint shares: the id's shape, its
 * existence, its owner, and expiry. Expiry is a timestamp checked here, on every request; DynamoDB TTL and
 * the S3 lifecycle rules only clean up behind it, hours or days later.
 */
import { publishOutcomeEventBestEffort } from './downstream/publish-events.js';
import { outcomeEventPending } from './downstream/upload-events.js';
import { ConditionFailedError, UploadGoneError, UploadNotFoundError } from './errors.js';
import type { UploadSession } from './model.js';
import { releaseOpenUpload } from './open-uploads.js';
import type { UploadDeps } from './upload-deps.js';

const uploadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Loads the caller's session or throws 404. A malformed id is unknown too: no such upload can
 * exist. Another owner's upload is unknown as well, with exactly the same error, and the check
 * comes before anything else looks at the session: the caller learns nothing about it (not its
 * state, not whether it expired) and no request of theirs changes it.
 */
export async function loadSession(deps: UploadDeps, uploadId: string, owner: string): Promise<UploadSession> {
  if (!uploadIdPattern.test(uploadId)) throw new UploadNotFoundError(uploadId);
  const session = await deps.sessions.get(uploadId);
  if (!session || session.owner !== owner) throw new UploadNotFoundError(uploadId);
  return session;
}

export const isPastExpiry = (deps: UploadDeps, session: UploadSession): boolean =>
  session.state === 'uploading' && deps.clock.now() >= session.expiresAt;

/** The 410 answer for an aborted or expired upload. */
export function goneError(session: Pick<UploadSession, 'uploadId' | 'state' | 'expiresAt'>): UploadGoneError {
  const why =
    session.state === 'aborted'
      ? 'was aborted and its chunks were deleted'
      : `expired at ${new Date(session.expiresAt).toISOString()} before it was completed`;
  return new UploadGoneError(
    `Upload ${session.uploadId} ${why}. Start a new upload with POST /api/upload/init.`,
    {
      uploadId: session.uploadId,
      state: session.state === 'aborted' ? 'aborted' : 'expired',
    },
  );
}

/**
 * Loads a session and throws 410 if it is aborted or expired. An `uploading` session past its
 * expiry is moved to `expired` on the way (conditional: a racing request may do it first).
 *
 * This is where a request detects expiry, so this is where it publishes `Upload Expired`
 * (`expireSession`; an upload nobody touches again is expired by the local sweep or, on AWS, reported
 * by the table's stream when TTL deletes it, see docs/events.md); like
 * `Upload Aborted`, an event whose publish failed is published by the next request that finds
 * the upload gone (`publishOutcomeEvent` skips an event already marked published).
 */
export async function loadLiveSession(
  deps: UploadDeps,
  uploadId: string,
  owner: string,
): Promise<UploadSession> {
  const session = await loadSession(deps, uploadId, owner);
  if (session.state === 'aborted' || session.state === 'expired') {
    if (outcomeEventPending(session)) await publishOutcomeEventBestEffort(deps, uploadId);
    throw goneError(session);
  }
  if (isPastExpiry(deps, session)) {
    await expireSession(deps, session);
    throw goneError({ ...session, state: 'expired' });
  }
  return session;
}

/**
 * Moves an `uploading` session past its expiry to `expired`, gives its open-upload slot back and
 * publishes `Upload Expired`. The one path for every place that finds an expired upload: a request
 * (`loadLiveSession`) and the local stack's sweep (`expireStaleUploads`). The transition is
 * conditional, so when two of them race only one releases the slot; both try the publish, and
 * the later one finds the event marked published and sends nothing (two that publish at the same
 * instant send it twice, with one `eventId` consumers deduplicate on). A publish the bus refused
 * is left for the next request or sweep. Answers whether this call made the transition.
 */
export async function expireSession(deps: UploadDeps, session: UploadSession): Promise<boolean> {
  const expired = await deps.sessions
    .transition(session.uploadId, {
      from: ['uploading'],
      to: 'expired',
      set: { updatedAt: deps.clock.now() },
    })
    .then(
      () => true,
      (error: unknown) => {
        if (!(error instanceof ConditionFailedError)) throw error;
        return false;
      },
    );
  if (expired) await releaseOpenUpload(deps, session.owner, session.uploadId);
  await publishOutcomeEventBestEffort(deps, session.uploadId);
  return expired;
}

/** Indices `0..totalChunks-1` as the list a finished upload reports. */
export const allIndices = (totalChunks: number): number[] => Array.from({ length: totalChunks }, (_, i) => i);
