/** `NotifyDownstream` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { notifyPublishedUpload } from '../core/completion/notify-downstream.js';
import { getDeps } from '../runtime/deps.js';
import type { PublishedState } from './contract.js';

export const handler = async (event: PublishedState) => notifyPublishedUpload(getDeps(), event);
