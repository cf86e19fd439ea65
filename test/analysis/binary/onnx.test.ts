import { expect, describe as group, it } from 'vitest';
import { describe, onnxInitializer, pbBytes, pbString, pbVarint } from './binary-fixtures.js';

function onnxModel(graph: Buffer): Buffer {
  return Buffer.concat([
    pbVarint(1, 9),
    pbString(2, 'pytorch'),
    pbString(3, '2.4.0'),
    pbString(4, 'ai.example'),
    pbVarint(5, 3),
    pbString(6, 'a doc string'),
    pbBytes(7, graph),
    pbBytes(8, Buffer.concat([pbString(1, ''), pbVarint(2, 17)])),
    pbBytes(8, Buffer.concat([pbString(1, 'com.microsoft'), pbVarint(2, 1)])),
    pbBytes(14, Buffer.concat([pbString(1, 'license'), pbString(2, 'apache-2.0')])),
  ]);
}

group('describeBinary on ONNX', () => {
  it('reads IR version, opsets and producer, and counts initializer parameters without reading them', async () => {
    // Prepare: two nodes and two FLOAT initializers, 512x512 and 512, with their raw data.
    const graph = Buffer.concat([
      pbBytes(1, pbString(4, 'MatMul')),
      pbBytes(1, pbString(4, 'Add')),
      pbString(2, 'main'),
      pbBytes(5, onnxInitializer('w', [512, 512], 1, 512 * 512 * 4)),
      pbBytes(5, onnxInitializer('b', [512], 1, 512 * 4)),
    ]);
    const file = onnxModel(graph);

    // Act
    const { result, reader, sink } = await describe(file, 'model.onnx');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'onnx',
      framework: 'onnx',
      tensorCount: 2,
      parameterCount: 512 * 512 + 512,
      dtypes: { FLOAT: 2 },
      details: {
        irVersion: 9,
        producerName: 'pytorch',
        producerVersion: '2.4.0',
        domain: 'ai.example',
        modelVersion: 3,
        nodeCount: 2,
        opsetImport: [
          { domain: 'ai.onnx', version: 17 },
          { domain: 'com.microsoft', version: 1 },
        ],
        metadata: { license: 'apache-2.0' },
      },
    });
    expect(reader.bytesRead).toBeLessThan(256 * 1024);
    expect(file.length).toBeGreaterThan(1_000_000);
  });

  it('reports a length-delimited field running past the end as CORRUPT_ONNX', async () => {
    // Prepare
    const file = onnxModel(pbBytes(5, onnxInitializer('w', [64, 64], 1, 64 * 64 * 4))).subarray(0, 1000);

    // Act
    const { result, sink } = await describe(file, 'cut.onnx');

    // Assess
    expect(result).toBeUndefined();
    expect(sink.codes()).toEqual(['CORRUPT_ONNX']);
    expect(sink.findings[0]?.message).toMatch(/runs past the end/);
  });

  it('reports CORRUPT_ONNX for a protobuf without ir_version', async () => {
    // Prepare
    const file = Buffer.concat([pbString(2, 'someone'), pbVarint(5, 1)]);

    // Act
    const { sink } = await describe(file, 'not-a-model.onnx');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_ONNX']);
  });
});
