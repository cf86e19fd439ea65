/** `RecordFailure` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import type { FailureInput } from '../core/completion/record-failure.js';
import { recordFailure } from '../core/completion/record-failure.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: FailureInput) => recordFailure(getDeps(), event);
