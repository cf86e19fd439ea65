import { expect, describe as group, it } from 'vitest';
import { SourceReadError } from '../../../lambdas/analysis/binary/binary-errors.js';
import { describeBinary } from '../../../lambdas/analysis/binary/describe-binary.js';
import { describe, ggufFile, recordingSink, zipFile } from './binary-fixtures.js';

group('describeBinary', () => {
  it('lists a zip directory up to the read budget, then warns and describes what it listed', async () => {
    // Prepare: a 20,000-entry directory (~1.2 MB) against a 256 KiB budget.
    const file = zipFile(
      Array.from({ length: 20_000 }, (_, i) => ({ name: `dir/file-${i}.txt`, data: Buffer.from(`x${i}`) })),
    );

    // Act
    const { result, reader, sink } = await describe(file, 'many.zip', { readBudgetBytes: 256 * 1024 });

    // Assess
    expect(reader.bytesRead).toBeLessThanOrEqual(256 * 1024);
    expect(sink.codes()).toEqual(['ANALYSIS_BUDGET_EXCEEDED']);
    expect(result?.archive?.entryCount).toBe(20_000);
    expect(result?.archive?.sampleEntries).toHaveLength(20);
  });

  it('rethrows a failing reader instead of reporting the file broken', async () => {
    // Prepare: the header is beyond `head`, so the reader must be asked.
    const file = ggufFile([['general.architecture', { type: 'string', value: 'x'.repeat(100_000) }]], []);
    const failure = new Error('S3 is down');
    const reader = { size: file.length, read: async () => Promise.reject(failure) };
    const sink = recordingSink();

    // Act
    const outcome = describeBinary({
      reader,
      filename: 'm.gguf',
      head: file.subarray(0, 1024),
      findings: sink,
    });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(SourceReadError);
    await expect(outcome).rejects.toMatchObject({ cause: failure });
    expect(sink.findings).toEqual([]);
  });
});
