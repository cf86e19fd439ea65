/** `QuarantineFile` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { quarantineFile } from '../core/completion/quarantine-file.js';
import type { VerifiedState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: VerifiedState) => quarantineFile(getDeps(), event);
