/**
 * How chunks become S3 multipart parts and parts become batches: pure arithmetic, shared by
 * `PlanAssembly` (which plans) and `AssembleBatch` (which recomputes a part's chunk range from
 * the session, so the Map items stay three numbers each).
 *
 * S3 rules (enforced by S3 at CompleteMultipartUpload, not by the local emulator):
 * - every part except the last is at least 5 MiB;
 * - an upload has at most 10,000 parts;
 * - a part is at most 5 GiB (a 5 TiB object in 10,000 parts needs ~525 MiB parts, far below).
 * A chunk through Lambda is at most 4 MiB, so a part concatenates consecutive chunks.
 */
import type { AssemblyBatch } from '../../workflow/contract.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** S3's smallest part, except for the last part of an upload. */
export const minPartSizeBytes = 5 * MiB;
/** S3's largest number of parts in one multipart upload. */
export const maxPartCount = 10_000;

/**
 * Most parts in one batch (one `AssembleBatch` invocation, one Map item). Why batches at all:
 * a Standard workflow has at most 25,000 history events and each Map iteration costs ~7, so
 * 10,000 parts as Map items could not run; and the state is limited to 256 KiB. At 32 parts a
 * batch, the default 1 MiB chunks and the 10 GiB default maximum give 64 batches.
 */
export const maxPartsPerBatch = 32;
/**
 * Most bytes in one batch, so a batch of large parts (a 5 TiB file has ~525 MiB parts) still
 * finishes well inside Lambda's 15-minute limit. 5 TiB at 4 GiB a batch is ~1,300 batches,
 * ~9,000 history events and ~70 KiB of Map items: inside both limits.
 */
export const maxBatchBytes = 4 * GiB;

export interface PartLayout {
  chunksPerPart: number;
  partCount: number;
}

/** The chunk layout a session declares. */
export interface ChunkLayout {
  totalChunks: number;
  chunkSize: number;
  totalSize: number;
}

/**
 * Chunks per part: enough for 5 MiB parts, and enough that the file fits in 10,000 parts.
 * Every part but the last has exactly `chunksPerPart` full chunks, so it is >= 5 MiB.
 */
export function partLayout({
  totalChunks,
  chunkSize,
}: Pick<ChunkLayout, 'totalChunks' | 'chunkSize'>): PartLayout {
  const chunksPerPart = Math.max(
    Math.ceil(minPartSizeBytes / chunkSize),
    Math.ceil(totalChunks / maxPartCount),
    1,
  );
  return { chunksPerPart, partCount: Math.ceil(totalChunks / chunksPerPart) };
}

/** Parts grouped into batches of consecutive part numbers (1-based, as S3 numbers parts). */
export function planBatches(layout: PartLayout, chunkSize: number): AssemblyBatch[] {
  const partBytes = layout.chunksPerPart * chunkSize;
  const partsPerBatch = Math.max(1, Math.min(maxPartsPerBatch, Math.floor(maxBatchBytes / partBytes)));
  const batches: AssemblyBatch[] = [];
  for (let firstPart = 1; firstPart <= layout.partCount; firstPart += partsPerBatch) {
    batches.push({
      batchIndex: batches.length,
      firstPart,
      lastPart: Math.min(firstPart + partsPerBatch - 1, layout.partCount),
    });
  }
  return batches;
}

/** Expected size of chunk `index`: `chunkSize`, except the last, which holds the remainder. */
export function chunkSizeAt(layout: ChunkLayout, index: number): number {
  return index < layout.totalChunks - 1
    ? layout.chunkSize
    : layout.totalSize - (layout.totalChunks - 1) * layout.chunkSize;
}

export interface PartRange {
  partNumber: number;
  /** First chunk index of the part. */
  firstChunk: number;
  /** One past the last chunk index of the part. */
  endChunk: number;
  /** Bytes in the part: the sum of its chunks' sizes. */
  size: number;
}

/** The consecutive chunks part `partNumber` (1-based) is made of. */
export function partRange(layout: ChunkLayout, chunksPerPart: number, partNumber: number): PartRange {
  const firstChunk = (partNumber - 1) * chunksPerPart;
  const endChunk = Math.min(firstChunk + chunksPerPart, layout.totalChunks);
  let size = 0;
  for (let index = firstChunk; index < endChunk; index++) size += chunkSizeAt(layout, index);
  return { partNumber, firstChunk, endChunk, size };
}
