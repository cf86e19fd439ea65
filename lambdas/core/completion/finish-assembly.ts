/**
 * `FinishAssembly`: completes the multipart upload from the batches' ETag manifests, in part
 * order, and reports the staging object's size.
 */
import type { AssembledFile } from '../../workflow/contract.js';
import { keys } from '../keys.js';
import type { CompletedPart } from '../ports.js';
import { type CompletionDeps, taskLogger } from './completion-deps.js';
import type { PlannedState } from './workflow-states.js';

/** A batch manifest that is missing or does not list exactly the batch's parts. */
export class PartManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartManifestError';
  }
}

const isCompletedPart = (value: unknown): value is CompletedPart =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as CompletedPart).partNumber === 'number' &&
  typeof (value as CompletedPart).etag === 'string';

/** Reads every batch's manifest and checks it lists exactly parts `firstPart..lastPart`. */
async function readParts(deps: CompletionDeps, state: PlannedState): Promise<CompletedPart[]> {
  const parts: CompletedPart[] = [];
  for (const batch of state.plan.batches) {
    const key = keys.partManifest(state.uploadId, batch.batchIndex);
    const bytes = await deps.objects.getBytes(key);
    if (bytes === undefined)
      throw new PartManifestError(`The part manifest of batch ${batch.batchIndex} is missing (${key})`);
    const listed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    const batchParts = Array.isArray(listed) ? listed.filter(isCompletedPart) : [];
    batchParts.sort((a, b) => a.partNumber - b.partNumber);
    const expected = batch.lastPart - batch.firstPart + 1;
    const exact =
      Array.isArray(listed) &&
      listed.length === expected &&
      batchParts.length === expected &&
      batchParts.every((part, i) => part.partNumber === batch.firstPart + i);
    if (!exact) {
      throw new PartManifestError(
        `The part manifest of batch ${batch.batchIndex} does not list parts ${batch.firstPart}..${batch.lastPart} (${key})`,
      );
    }
    parts.push(...batchParts);
  }
  return parts;
}

export async function finishAssembly(deps: CompletionDeps, state: PlannedState): Promise<AssembledFile> {
  const { uploadId, plan } = state;
  const log = taskLogger(deps, 'FinishAssembly', uploadId);
  const parts = await readParts(deps, state);
  try {
    await deps.objects.completeMultipartUpload(plan.stagingKey, plan.multipartUploadId, parts);
  } catch (error) {
    // A retry after a completion that succeeded (the invocation timed out after S3 answered)
    // finds the multipart upload gone but the staging object there: carry on with it.
    const staged = await deps.objects.head(plan.stagingKey);
    if (staged === undefined) throw error;
    log.warn('multipart upload already completed; using the staging object', { error });
  }
  const staged = await deps.objects.head(plan.stagingKey);
  if (staged === undefined)
    throw new Error(`The staging object ${plan.stagingKey} is missing after assembly`);
  log.info('assembly finished', { partCount: parts.length, size: staged.size });
  return { stagingKey: plan.stagingKey, size: staged.size };
}
