import { expect, describe as group, it } from 'vitest';
import { describe, safetensorsFile, safetensorsWithHeader } from './binary-fixtures.js';

group('describeBinary on safetensors', () => {
  it('counts parameters and dtypes of a 3-tensor file from its header alone', async () => {
    // Prepare: 1,000,000 + 2,000 + 4,096 elements; the data dwarfs the header.
    const file = safetensorsFile(
      [
        { name: 'embed.weight', dtype: 'F32', shape: [1000, 1000], bytesPerElement: 4 },
        { name: 'proj.bias', dtype: 'BF16', shape: [2000], bytesPerElement: 2 },
        { name: 'head.weight', dtype: 'F32', shape: [64, 64], bytesPerElement: 4 },
      ],
      { format: 'pt', source: 'unit-test' },
    );

    // Act
    const { result, reader, sink } = await describe(file, 'model.safetensors');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'safetensors',
      framework: 'safetensors',
      tensorCount: 3,
      parameterCount: 1_006_096,
      dtypes: { F32: 2, BF16: 1 },
      details: { headerBytes: expect.any(Number), metadata: { format: 'pt', source: 'unit-test' } },
    });
    // The header sits in the first 64 KiB the orchestrator already has: nothing more is read.
    expect(file.length).toBeGreaterThan(4_000_000);
    expect(reader.bytesRead).toBe(0);
  });

  it('reports CORRUPT_SAFETENSORS when the header length runs past the end of the file', async () => {
    // Prepare
    const file = Buffer.alloc(64);
    file.writeBigUInt64LE(10_000n, 0);
    file.write('{"a":', 8);

    // Act
    const { result, sink } = await describe(file, 'broken.safetensors');

    // Assess
    expect(result).toBeUndefined();
    expect(sink.codes()).toEqual(['CORRUPT_SAFETENSORS']);
    expect(sink.findings[0]?.message).toMatch(/header length 10000 runs past the end/);
  });

  it('reports CORRUPT_SAFETENSORS when the header is not JSON', async () => {
    // Prepare
    const json = Buffer.from('{"x": {"dtype": "F32", oops');
    const file = Buffer.concat([Buffer.alloc(8), json]);
    file.writeBigUInt64LE(BigInt(json.length), 0);

    // Act
    const { sink } = await describe(file, 'broken.safetensors');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_SAFETENSORS']);
  });

  it('names the tensor whose offsets lie outside the data buffer', async () => {
    // Prepare
    const file = safetensorsWithHeader(
      {
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [4], data_offsets: [16, 32] },
      },
      20,
    );

    // Act
    const { result, sink } = await describe(file, 'cut.safetensors');

    // Assess
    expect(result?.artifact?.parameterCount).toBe(8);
    expect(sink.findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'CORRUPT_SAFETENSORS', field: 'b' }),
    ]);
  });

  it('reports a hole between tensors and a size that does not match the shape', async () => {
    // Prepare
    const file = safetensorsWithHeader(
      {
        a: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
        b: { dtype: 'F16', shape: [3], data_offsets: [12, 18] },
      },
      18,
    );

    // Act
    const { sink } = await describe(file, 'holes.safetensors');

    // Assess
    expect(sink.findings.map((f) => [f.code, f.field])).toEqual([['CORRUPT_SAFETENSORS', 'b']]);
    expect(sink.findings[0]?.message).toMatch(/contiguous/);
  });
});
