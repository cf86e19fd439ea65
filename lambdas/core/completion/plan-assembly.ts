/**
 * `PlanAssembly`: the first task of the completion workflow. Checks that the chunk records
 * describe the whole file, starts the S3 multipart upload of the staging object and plans the
 * part batches the `AssembleParts` Map runs. The plan is a few numbers per batch: Step Functions
 * state is limited to 256 KiB, so nothing in it grows with the part count.
 */
import type { AssemblyPlan, WorkflowInput } from '../../workflow/contract.js';
import { MissingChunksError, ValidationError } from '../errors.js';
import { keys } from '../keys.js';
import type { ChunkRecord, UploadSession } from '../model.js';
import { type CompletionDeps, requireProcessingSession, taskLogger } from './completion-deps.js';
import { chunkSizeAt, partLayout, planBatches } from './part-plan.js';

/** How many offending indices an error names before it only counts. */
const indicesShown = 20;

const listed = (indices: readonly number[]): string =>
  indices.length > indicesShown
    ? `${indices.slice(0, indicesShown).join(', ')} and ${indices.length - indicesShown} more`
    : indices.join(', ');

/** The session's sizes must describe `totalChunks` chunks with a non-empty last one. */
function checkLayout(session: UploadSession): void {
  const { uploadId, totalChunks, chunkSize, totalSize } = session;
  const lastSize = totalSize - (totalChunks - 1) * chunkSize;
  if (totalChunks < 1 || lastSize < 1 || lastSize > chunkSize) {
    throw new ValidationError(
      `Upload ${uploadId} declares ${totalChunks} chunks of ${chunkSize} bytes for ${totalSize} bytes; nothing can be assembled.`,
      { uploadId, totalChunks, chunkSize, totalSize },
    );
  }
}

/**
 * Every index `0..totalChunks-1` must be `stored` with the size its position implies (the chunk
 * endpoint enforces sizes; this is the last line before bytes are concatenated).
 */
function checkChunks(session: UploadSession, chunks: readonly ChunkRecord[]): void {
  const { uploadId, totalChunks } = session;
  const byIndex = new Map(chunks.map((chunk) => [chunk.index, chunk]));
  const missing: number[] = [];
  const wrongSize: number[] = [];
  for (let index = 0; index < totalChunks; index++) {
    const chunk = byIndex.get(index);
    if (chunk?.status !== 'stored') missing.push(index);
    else if (chunk.size !== chunkSizeAt(session, index)) wrongSize.push(index);
  }
  if (missing.length > 0) {
    throw new MissingChunksError(
      `Cannot assemble upload ${uploadId}: ${missing.length} of ${totalChunks} chunks are not stored (${listed(missing)}).`,
      { uploadId, missingChunks: missing.slice(0, 100), missingCount: missing.length },
    );
  }
  if (wrongSize.length > 0) {
    throw new ValidationError(
      `Cannot assemble upload ${uploadId}: chunks ${listed(wrongSize)} do not have the size their index implies.`,
      { uploadId, wrongSizeChunks: wrongSize.slice(0, 100) },
    );
  }
}

/** Plans the assembly of a `processing` upload and starts its multipart upload. */
export async function planAssembly(deps: CompletionDeps, input: WorkflowInput): Promise<AssemblyPlan> {
  const { uploadId } = input;
  const log = taskLogger(deps, 'PlanAssembly', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  checkLayout(session);
  checkChunks(session, await deps.sessions.listChunks(uploadId));

  const layout = partLayout(session);
  const batches = planBatches(layout, session.chunkSize);
  const stagingKey = keys.staging(uploadId, session.filename);
  // A retried PlanAssembly starts a second multipart upload; the first is never completed and
  // the bucket's AbortIncompleteMultipartUpload lifecycle rule removes it.
  const multipartUploadId = await deps.objects.createMultipartUpload(stagingKey);
  log.info('assembly planned', {
    totalChunks: session.totalChunks,
    chunksPerPart: layout.chunksPerPart,
    partCount: layout.partCount,
    batchCount: batches.length,
  });
  return {
    multipartUploadId,
    stagingKey,
    chunksPerPart: layout.chunksPerPart,
    partCount: layout.partCount,
    batches,
  };
}
