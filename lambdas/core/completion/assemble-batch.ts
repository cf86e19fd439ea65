/**
 * `AssembleBatch`: one Map item of the `AssembleParts` state. Uploads the batch's parts, each
 * the concatenation of its consecutive chunks, and writes the parts' ETags to a small manifest
 * object that `FinishAssembly` reads (ETags in the Map's output would grow the state with the
 * part count).
 *
 * Idempotent: a retry uploads the same part numbers again, which replaces them in S3, and
 * rewrites the manifest with the new ETags.
 */
import type { AssembleBatchInput, AssembleBatchOutput } from '../../workflow/contract.js';
import { keys } from '../keys.js';
import type { CompletedPart } from '../ports.js';
import { type CompletionDeps, requireProcessingSession, taskLogger } from './completion-deps.js';
import { partBody } from './concat-chunks.js';
import { partLayout, partRange } from './part-plan.js';

/** Parts uploaded at once within one batch: enough to fill the network, a few buffers of memory. */
export const partConcurrency = 4;

/** Runs `work` for every item with at most `limit` running at once; results keep the items' order. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const position = next++;
      results[position] = await work(items[position] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function assembleBatch(
  deps: CompletionDeps,
  input: AssembleBatchInput,
): Promise<AssembleBatchOutput> {
  const { uploadId, multipartUploadId, stagingKey, batch } = input;
  const log = taskLogger(deps, 'AssembleBatch', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  // Recomputed from the session rather than carried in every Map item: the same pure function
  // PlanAssembly used, on the same immutable sizes, gives the same layout.
  const { chunksPerPart } = partLayout(session);
  const partNumbers = Array.from(
    { length: batch.lastPart - batch.firstPart + 1 },
    (_, i) => batch.firstPart + i,
  );

  const parts = await mapBounded(partNumbers, partConcurrency, async (partNumber): Promise<CompletedPart> => {
    const part = partRange(session, chunksPerPart, partNumber);
    const etag = await deps.objects.uploadPart({
      key: stagingKey,
      multipartUploadId,
      partNumber,
      body: partBody(deps.objects, uploadId, part),
      contentLength: part.size,
    });
    return { partNumber, etag };
  });

  await deps.objects.put(
    keys.partManifest(uploadId, batch.batchIndex),
    JSON.stringify(parts),
    'application/json',
  );
  log.info('batch assembled', {
    batchIndex: batch.batchIndex,
    firstPart: batch.firstPart,
    lastPart: batch.lastPart,
  });
  return { batchIndex: batch.batchIndex, partCount: parts.length };
}
