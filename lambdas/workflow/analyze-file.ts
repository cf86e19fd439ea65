/** `AnalyzeFile` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { analyzeUpload } from '../core/completion/analyze-upload.js';
import type { AssembledState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

export const handler = async (event: AssembledState) => analyzeUpload(getDeps(), event);
