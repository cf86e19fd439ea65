/** `AnalyzeFile` Task of the completion workflow (see `tasks.ts`): a thin entry over the core. */
import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { ComprehendPiiDetector } from '../adapters/comprehend-pii-detector.js';
import { analyzeUpload } from '../core/completion/analyze-upload.js';
import type { ScannedState } from '../core/completion/workflow-states.js';
import { getDeps } from '../runtime/deps.js';

let detector: ComprehendPiiDetector | undefined;

export const handler = async (event: ScannedState) => {
  const deps = getDeps();
  if (deps.config.comprehendPii === 'sample')
    detector ??= new ComprehendPiiDetector(new ComprehendClient({}));
  return analyzeUpload({ ...deps, piiEntityDetector: detector }, event);
};
