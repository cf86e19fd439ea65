/**
 * The local stack's expiry sweep. On AWS an upload that expires untouched is reported by the
 * sessions table's stream when DynamoDB TTL deletes it; dynalite has neither TTL nor streams, so
 * here a timer runs the core's `expireStaleUploads` every `EXPIRY_SWEEP_SECONDS` instead: each
 * such upload becomes `expired`, gets its one `Upload Expired` in `.data/events.jsonl` and gives
 * its open-upload slot back, through the same code a request uses.
 *
 * One sweep at a time (a sweep that outlasts the interval skips the next tick), and `stop` waits
 * for the running one, so the stack never stops the emulators under a sweep.
 */
import { expireStaleUploads } from '../../lambdas/core/expire-uploads.js';
import type { UploadDeps } from '../../lambdas/core/upload-deps.js';
import type { Logger } from '../../lambdas/runtime/logger.js';

export interface ExpirySweeper {
  /** Runs one sweep now (or waits for the one running); what the timer runs. */
  sweep(): Promise<void>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startExpirySweeper(deps: () => UploadDeps, intervalMs: number, log: Logger): ExpirySweeper {
  let running: Promise<void> | undefined;
  const sweep = (): Promise<void> => {
    running ??= expireStaleUploads(deps())
      .then(
        (result) => {
          if (result.expired.length > 0 || result.republished.length > 0) {
            log.info('expiry sweep', { expired: result.expired, republished: result.republished });
          }
        },
        // A failed sweep (the emulator restarting, say) is logged; the next tick tries again.
        (error: unknown) => log.error('expiry sweep failed; the next one retries', { error }),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
