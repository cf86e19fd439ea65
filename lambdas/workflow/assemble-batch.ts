/** `AssembleBatch` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { assembleBatch } from '../core/completion/assemble-batch.js';
import { getDeps } from '../runtime/deps.js';
import type { AssembleBatchInput } from './contract.js';

export const handler = async (event: AssembleBatchInput) => assembleBatch(getDeps(), event);
