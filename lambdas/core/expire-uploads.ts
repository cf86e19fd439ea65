/**
 * The expiry sweep: finds the uploads that expired without any request noticing and expires them
 * through the same path a request takes (`expireSession`), so each gets its one `Upload Expired`
 * and gives its open-upload slot back. It also finishes the publish of an expired or aborted
 * upload whose event the bus refused, which otherwise waits for a request that may never come.
 *
 * The local stack runs it every `EXPIRY_SWEEP_SECONDS` (`bin/local/expiry-sweeper.ts`): dynalite
 * has neither TTL nor streams. On AWS nothing sweeps; the table's stream reports each session TTL
 * deletes instead (`downstream/removed-sessions.ts`), because listing sessions by state there
 * would be a Scan of the whole table.
 */
import { publishOutcomeEventBestEffort } from './downstream/publish-events.js';
import { outcomeEventPending } from './downstream/upload-events.js';
import { expireSession, isPastExpiry } from './sessions.js';
import type { UploadDeps } from './upload-deps.js';

/** What one sweep did, by upload id. */
export interface ExpirySweepResult {
  /** Uploads this sweep moved from `uploading` to `expired`. */
  expired: string[];
  /** Expired or aborted uploads whose unpublished event this sweep tried to publish again. */
  republished: string[];
}

/** Expires every `uploading` session past its `expiresAt` and retries unpublished gone events. */
export async function expireStaleUploads(deps: UploadDeps): Promise<ExpirySweepResult> {
  const sessions = await deps.sessions.listByState(['uploading', 'expired', 'aborted']);
  const result: ExpirySweepResult = { expired: [], republished: [] };
  // One at a time: a sweep is background work and must not crowd out the requests.
  for (const session of sessions) {
    if (session.state === 'uploading') {
      if (isPastExpiry(deps, session) && (await expireSession(deps, session))) {
        result.expired.push(session.uploadId);
      }
    } else if (outcomeEventPending(session)) {
      await publishOutcomeEventBestEffort(deps, session.uploadId);
      result.republished.push(session.uploadId);
    }
  }
  return result;
}
