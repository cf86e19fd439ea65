/** `PlanAssembly` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { planAssembly } from '../core/completion/plan-assembly.js';
import { getDeps } from '../runtime/deps.js';
import type { WorkflowInput } from './contract.js';

export const handler = async (event: WorkflowInput) => planAssembly(getDeps(), event);
