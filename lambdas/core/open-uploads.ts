/**
 * The per-owner limit on open uploads (`MAX_OPEN_UPLOADS_PER_OWNER`). An upload is open while it
 * is `uploading`: it holds chunks and takes more. Once `complete` accepts it, it no longer counts.
 *
 * The count lives in one ledger record per owner (`OpenUploadLedger`), not in a query over the
 * sessions: a GSI query is eventually consistent, so two concurrent `init`s could both see one free
 * slot and both take it. Here `init` reads the record strongly consistently, decides, and writes
 * its entry conditionally on the version it read; a concurrent `init` bumps the version and the
 * loser decides again on fresh data. So the limit holds exactly under any concurrency.
 *
 * Entries leave the record when a session leaves `uploading` (complete, abort, expiry seen by a
 * request) and when their `expiresAt` passes. A leave that was lost (a crash between the session's
 * transition and the release) or an upload that expired unseen leaves a stale entry; at the limit,
 * before refusing, `init` checks the sessions of the remaining entries and drops every entry whose
 * session is no longer open, so a stale entry can delay nobody.
 */
import { ConditionFailedError, TooManyRequestsError } from './errors.js';
import type { OpenUploadEntry, OwnerOpenUploads } from './ports.js';
import type { UploadDeps } from './upload-deps.js';

/** Conditional-write attempts before an `init` that keeps losing races gives up with a 429. */
const maxReserveAttempts = 5;

/**
 * How long a reserved entry without a session item still counts: `init` reserves before it
 * creates the session, so a concurrent `init` must not drop an entry whose session is on its way.
 */
const reservationGraceMs = 60_000;

/** The entries that still hold a slot; reads the sessions only when `verify` is set. */
async function liveEntries(
  deps: UploadDeps,
  record: OwnerOpenUploads,
  verify: boolean,
): Promise<OpenUploadEntry[]> {
  const now = deps.clock.now();
  const unexpired = record.entries.filter((entry) => entry.expiresAt > now);
  if (!verify) return unexpired;
  const checked = await Promise.all(
    unexpired.map(async (entry) => {
      const session = await deps.sessions.get(entry.uploadId);
      if (session === undefined) return now - entry.reservedAt < reservationGraceMs;
      return session.state === 'uploading' && session.expiresAt > now;
    }),
  );
  return unexpired.filter((_, position) => checked[position]);
}

/**
 * Takes one of the owner's open-upload slots for `entry`, or throws `TooManyRequestsError` (429)
 * naming the limit when the owner already has `maxOpenUploadsPerOwner` open uploads.
 */
export async function reserveOpenUpload(
  deps: UploadDeps,
  owner: string,
  entry: OpenUploadEntry,
): Promise<void> {
  const max = deps.config.maxOpenUploadsPerOwner;
  for (let attempt = 0; attempt < maxReserveAttempts; attempt++) {
    const record = await deps.openUploads.read(owner);
    let live = await liveEntries(deps, record, false);
    if (live.length >= max) live = await liveEntries(deps, record, true);
    if (live.length >= max) {
      throw new TooManyRequestsError(
        `You have ${live.length} open uploads; at most ${max} may be open at once (MAX_OPEN_UPLOADS_PER_OWNER). Complete or abort one (DELETE /api/upload/{uploadId}) before starting another.`,
        { limit: 'MAX_OPEN_UPLOADS_PER_OWNER', maxOpenUploadsPerOwner: max, openUploads: live.length },
      );
    }
    const keep = new Set(live.map((kept) => kept.uploadId));
    const drop = record.entries.filter((old) => !keep.has(old.uploadId)).map((old) => old.uploadId);
    try {
      await deps.openUploads.reserve(owner, record.version, entry, drop);
      return;
    } catch (error) {
      // Another init of this owner wrote first: decide again on what it left.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
  throw new TooManyRequestsError(
    `Too many uploads are being started for you at the same moment; retry this init (at most ${max} may be open at once, MAX_OPEN_UPLOADS_PER_OWNER).`,
    { limit: 'MAX_OPEN_UPLOADS_PER_OWNER', maxOpenUploadsPerOwner: max },
  );
}

/**
 * Gives the slot back when a session leaves `uploading`. Best effort: a release that fails leaves a
 * stale entry, which the next `init` at the limit finds and drops (see the top of this file).
 */
export async function releaseOpenUpload(deps: UploadDeps, owner: string, uploadId: string): Promise<void> {
  await deps.openUploads.release(owner, uploadId).catch(() => undefined);
}
