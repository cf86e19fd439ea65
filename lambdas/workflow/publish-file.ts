/** `PublishFile` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { publishFile } from '../core/completion/publish-file.js';
import type { VerifiedState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: VerifiedState) => publishFile(getDeps(), event);
