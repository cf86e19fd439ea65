import { expect, describe as group, it } from 'vitest';
import { describe, zipFile } from './binary-fixtures.js';

group('describeBinary on zip containers', () => {
  it('describes a PyTorch zip checkpoint from its central directory', async () => {
    // Prepare: the layout torch.save writes (stored entries under one folder).
    const storage = Buffer.alloc(400_000, 5);
    const file = zipFile([
      { name: 'model/data.pkl', data: Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]) },
      { name: 'model/byteorder', data: Buffer.from('little') },
      { name: 'model/data/0', data: storage },
      { name: 'model/data/1', data: storage },
      { name: 'model/version', data: Buffer.from('3\n') },
    ]);

    // Act
    const { result, reader, sink } = await describe(file, 'checkpoint.pt');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'pytorch',
      framework: 'pytorch',
      details: {
        container: 'zip',
        entryCount: 5,
        hasDataPkl: true,
        storageCount: 2,
        rootFolder: 'model',
        byteorder: 'little',
        serializationVersion: '3',
      },
    });
    expect(reader.bytesRead).toBeLessThan(200 * 1024);
  });

  it('finds the directory of a zip64 checkpoint through the zip64 end records', async () => {
    // Prepare
    const file = zipFile(
      [
        { name: 'archive/data.pkl', data: Buffer.from([0x80, 0x02, 0x2e]) },
        { name: 'archive/data/0', data: Buffer.alloc(1000) },
      ],
      { zip64: true },
    );

    // Act
    const { result, sink } = await describe(file, 'big.ckpt');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact?.details).toMatchObject({ entryCount: 2, hasDataPkl: true, storageCount: 1 });
  });

  it('warns when a zip named .bin has no data.pkl', async () => {
    // Prepare
    const file = zipFile([{ name: 'weights/0', data: Buffer.alloc(10) }]);

    // Act
    const { result, sink } = await describe(file, 'pytorch_model.bin');

    // Assess
    expect(result?.artifact?.details.hasDataPkl).toBe(false);
    expect(sink.codes()).toEqual(['PYTORCH_PICKLE_MISSING']);
  });

  it('reads keras_version from a .keras file by inflating metadata.json', async () => {
    // Prepare
    const file = zipFile([
      {
        name: 'metadata.json',
        data: Buffer.from('{"keras_version": "3.4.1", "date_saved": "2024-07-01@10:00:00"}'),
        deflate: true,
      },
      {
        name: 'config.json',
        data: Buffer.from(JSON.stringify({ class_name: 'Sequential', config: {} })),
        deflate: true,
      },
      { name: 'model.weights.h5', data: Buffer.alloc(50_000, 1) },
    ]);

    // Act
    const { result, sink } = await describe(file, 'classifier.keras');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'keras',
      framework: 'keras',
      details: {
        container: 'zip',
        entryCount: 3,
        entries: ['metadata.json', 'config.json', 'model.weights.h5'],
        kerasVersion: '3.4.1',
        dateSaved: '2024-07-01@10:00:00',
      },
    });
  });

  it('describes a plain zip with counts, sizes, ratio and a sample of entries', async () => {
    // Prepare
    const file = zipFile([
      { name: 'data/train.jsonl', data: Buffer.from('{"a":1}\n'.repeat(1000)), deflate: true },
      { name: 'data/readme.txt', data: Buffer.from('hello'), deflate: false },
    ]);

    // Act
    const { result, sink } = await describe(file, 'bundle.zip');

    // Assess
    const archive = result?.archive;
    expect(archive).toMatchObject({
      format: 'zip',
      entryCount: 2,
      totalUncompressedBytes: 8005,
      sampleEntries: [
        { name: 'data/train.jsonl', size: 8000 },
        { name: 'data/readme.txt', size: 5 },
      ],
    });
    expect(archive?.compressionRatio).toBeGreaterThan(10);
    expect(sink.codes()).toEqual(
      archive && (archive.compressionRatio ?? 0) > 100 ? ['HIGH_COMPRESSION_RATIO'] : [],
    );
  });

  it('warns HIGH_COMPRESSION_RATIO when entries expand more than 100 times', async () => {
    // Prepare: 10 MB of zeros deflate to about 10 KB.
    const file = zipFile([{ name: 'zeros.bin', data: Buffer.alloc(10_000_000), deflate: true }]);

    // Act
    const { result, reader, sink } = await describe(file, 'zeros.zip');

    // Assess
    expect(result?.archive?.compressionRatio).toBeGreaterThan(100);
    expect(sink.codes()).toEqual(['HIGH_COMPRESSION_RATIO']);
    expect(reader.bytesRead).toBeLessThan(100 * 1024);
  });

  it('warns about entry names that escape the extraction directory and keeps listing', async () => {
    // Prepare
    const file = zipFile([
      { name: '../evil.sh', data: Buffer.from('x') },
      { name: 'ok.txt', data: Buffer.from('y') },
    ]);

    // Act
    const { result, sink } = await describe(file, 'bundle.zip');

    // Assess
    expect(result?.archive?.entryCount).toBe(2);
    expect(sink.findings).toEqual([
      expect.objectContaining({ code: 'UNSAFE_ARCHIVE_PATH', field: '../evil.sh' }),
    ]);
  });

  it('reports CORRUPT_ZIP when the central directory is missing', async () => {
    // Prepare: a local header and nothing else (a cut download).
    const whole = zipFile([{ name: 'a.txt', data: Buffer.alloc(5000, 1) }]);
    const file = whole.subarray(0, 3000);

    // Act
    const { result, sink } = await describe(file, 'cut.zip');

    // Assess
    expect(result).toBeUndefined();
    expect(sink.codes()).toEqual(['CORRUPT_ZIP']);
  });
});
