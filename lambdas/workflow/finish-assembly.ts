/** `FinishAssembly` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { finishAssembly } from '../core/completion/finish-assembly.js';
import type { PlannedState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: PlannedState) => finishAssembly(getDeps(), event);
