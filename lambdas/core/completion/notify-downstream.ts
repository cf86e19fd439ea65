/**
 * `NotifyDownstream`: between `PublishFile` and `RecordCompletion`, tells the fine-tuning
 * pipeline and the data-curation system about the published file (see
 * `core/downstream/notify-downstream.ts`). Target failures are answered, not thrown, so the upload
 * still completes; anything it throws is caught by the state machine and recorded the same way.
 */

import type { PublishedState } from '../../workflow/contract.js';
import { type NotifyOutcome, notifyDownstream } from '../downstream/notify-downstream.js';
import { type CompletionDeps, requireSession, taskLogger } from './completion-deps.js';

export async function notifyPublishedUpload(
  deps: CompletionDeps,
  state: PublishedState,
): Promise<NotifyOutcome> {
  const log = taskLogger(deps, 'NotifyDownstream', state.uploadId);
  const session = await requireSession(deps, state.uploadId);
  return notifyDownstream(deps, session, state.published.filepath, log);
}
