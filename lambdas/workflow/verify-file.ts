/** `VerifyFile` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { verifyFile } from '../core/completion/verify-file.js';
import type { AssembledState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: AssembledState) => verifyFile(getDeps(), event);
