import { describe, expect, it } from 'vitest';
import {
  chunkSizeAt,
  maxBatchBytes,
  maxPartCount,
  maxPartsPerBatch,
  minPartSizeBytes,
  partLayout,
  partRange,
  planBatches,
} from '../../../lambdas/core/completion/part-plan.js';

const MiB = 1024 * 1024;
const TiB = 1024 * 1024 * MiB;

describe('partLayout', () => {
  it('puts five 1 MiB chunks in a part so every part but the last is 5 MiB', () => {
    // Act
    const layout = partLayout({ totalChunks: 13, chunkSize: MiB });

    // Assess
    expect(layout).toEqual({ chunksPerPart: 5, partCount: 3 });
  });

  it('rounds up when the chunk size does not divide 5 MiB', () => {
    // Act
    const layout = partLayout({ totalChunks: 10, chunkSize: 3 * MiB });

    // Assess
    expect(layout.chunksPerPart).toBe(2);
    expect(layout.chunksPerPart * 3 * MiB).toBeGreaterThanOrEqual(minPartSizeBytes);
  });

  it('grows the parts so a 5 TiB file of 4 MiB chunks fits in 10,000 parts', () => {
    // Prepare
    const chunkSize = 4 * MiB;
    const totalChunks = (5 * TiB) / chunkSize;

    // Act
    const layout = partLayout({ totalChunks, chunkSize });

    // Assess
    expect(layout.partCount).toBeLessThanOrEqual(maxPartCount);
    expect(layout.chunksPerPart * chunkSize).toBeGreaterThanOrEqual(minPartSizeBytes);
    expect(layout.chunksPerPart * chunkSize).toBeLessThanOrEqual(5 * 1024 * MiB);
  });

  it('makes one part of a one-chunk file', () => {
    // Act
    const layout = partLayout({ totalChunks: 1, chunkSize: MiB });

    // Assess
    expect(layout).toEqual({ chunksPerPart: 5, partCount: 1 });
  });
});

describe('planBatches', () => {
  it('covers every part once, in order, with at most 32 parts a batch', () => {
    // Act
    const batches = planBatches({ chunksPerPart: 5, partCount: 2048 }, MiB);

    // Assess
    expect(batches).toHaveLength(64);
    expect(batches[0]).toEqual({ batchIndex: 0, firstPart: 1, lastPart: maxPartsPerBatch });
    batches.forEach((batch, i) => {
      expect(batch.batchIndex).toBe(i);
      expect(batch.firstPart).toBe(i === 0 ? 1 : (batches[i - 1]?.lastPart ?? 0) + 1);
    });
    expect(batches.at(-1)?.lastPart).toBe(2048);
  });

  it('keeps a batch of large parts under 4 GiB and the Map items small for a 5 TiB file', () => {
    // Prepare
    const chunkSize = 4 * MiB;
    const layout = partLayout({ totalChunks: (5 * TiB) / chunkSize, chunkSize });

    // Act
    const batches = planBatches(layout, chunkSize);

    // Assess
    const partsPerBatch = (batches[0]?.lastPart ?? 0) - (batches[0]?.firstPart ?? 0) + 1;
    expect(partsPerBatch * layout.chunksPerPart * chunkSize).toBeLessThanOrEqual(maxBatchBytes);
    expect(batches.at(-1)?.lastPart).toBe(layout.partCount);
    expect(JSON.stringify(batches).length).toBeLessThan(100 * 1024);
  });
});

describe('partRange', () => {
  it('gives the last part the remaining chunks and the short last chunk', () => {
    // Prepare
    const layout = { totalChunks: 13, chunkSize: MiB, totalSize: 12 * MiB + 7 };

    // Act
    const last = partRange(layout, 5, 3);

    // Assess
    expect(last).toEqual({ partNumber: 3, firstChunk: 10, endChunk: 13, size: 2 * MiB + 7 });
    expect(partRange(layout, 5, 1)).toEqual({ partNumber: 1, firstChunk: 0, endChunk: 5, size: 5 * MiB });
    expect(chunkSizeAt(layout, 12)).toBe(7);
  });
});
