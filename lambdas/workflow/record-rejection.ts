/** `RecordRejection` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { recordRejection } from '../core/completion/record-rejection.js';
import { getDeps } from '../runtime/deps.js';
import type { RejectionState } from './contract.js';

export const handler = async (event: RejectionState) => recordRejection(getDeps(), event);
