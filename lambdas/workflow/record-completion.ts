/** `RecordCompletion` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { recordCompletion } from '../core/completion/record-completion.js';
import { getDeps } from '../runtime/deps.js';
import type { CompletionState } from './contract.js';

export const handler = async (event: CompletionState) => recordCompletion(getDeps(), event);
