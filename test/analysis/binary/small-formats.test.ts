import { gzipSync } from 'node:zlib';
import { expect, describe as group, it } from 'vitest';
import { describe } from './binary-fixtures.js';

const hdf5Signature = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

group('describeBinary on HDF5, TFLite, pickles and compressed streams', () => {
  it('describes a Keras .h5 file from its HDF5 superblock', async () => {
    // Prepare
    const file = Buffer.concat([hdf5Signature, Buffer.from([2]), Buffer.alloc(2000)]);

    // Act
    const { result, sink } = await describe(file, 'model.h5');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'keras',
      framework: 'keras/hdf5',
      details: { container: 'hdf5', signatureOffset: 0, superblockVersion: 2 },
    });
  });

  it('finds the HDF5 signature after a 512-byte user block', async () => {
    // Prepare
    const file = Buffer.concat([Buffer.alloc(512), hdf5Signature, Buffer.from([0]), Buffer.alloc(100)]);

    // Act
    const { result } = await describe(file, 'model.h5');

    // Assess
    expect(result?.artifact?.details).toMatchObject({ signatureOffset: 512, superblockVersion: 0 });
  });

  it('reports CORRUPT_HDF5 for a .h5 file without the signature', async () => {
    // Act
    const { sink } = await describe(Buffer.from('not hdf5 at all'), 'model.h5');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_HDF5']);
  });

  it('reports CORRUPT_KERAS for a .keras file that is neither zip nor HDF5', async () => {
    // Act
    const { sink } = await describe(Buffer.from('{"class_name": "Sequential"}'), 'model.keras');

    // Assess
    expect(sink.codes()).toEqual(['CORRUPT_KERAS']);
  });

  it('reads the schema version of a TFLite FlatBuffer', async () => {
    // Prepare: root offset 16 -> table at 16 whose vtable (at 8) gives field 0 at table+4.
    const file = Buffer.alloc(64);
    file.writeUInt32LE(16, 0);
    file.write('TFL3', 4);
    file.writeUInt16LE(6, 8);
    file.writeUInt16LE(8, 10);
    file.writeUInt16LE(4, 12);
    file.writeInt32LE(16 - 8, 16);
    file.writeUInt32LE(3, 20);

    // Act
    const { result, sink } = await describe(file, 'model.tflite');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'tflite',
      framework: 'tflite',
      details: { fileIdentifier: 'TFL3', schemaVersion: 3 },
    });
  });

  it('gives the protocol of a bare pickle and calls a legacy .pt pickle PyTorch', async () => {
    // Prepare
    const pickle = Buffer.from([0x80, 0x04, 0x95, 0x00, 0x2e]);

    // Act
    const bare = await describe(pickle, 'features.pkl');
    const legacy = await describe(pickle, 'old.pt');

    // Assess
    expect(bare.result?.artifact).toEqual({ format: 'pickle', details: { protocol: 4 } });
    expect(legacy.result?.artifact).toEqual({
      format: 'pytorch',
      framework: 'pytorch',
      details: { container: 'legacy pickle', protocol: 4 },
    });
  });

  it('names gzip archives without listing them, and other compressed streams as other', async () => {
    // Act
    const gzip = await describe(gzipSync(Buffer.from('hello')), 'data.tar.gz');
    const zstd = await describe(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]), 'data.zst');

    // Assess
    expect(gzip.result).toEqual({ archive: { format: 'gzip' } });
    expect(zstd.result).toEqual({ archive: { format: 'other' } });
  });

  it('returns undefined for text datasets and unknown files', async () => {
    // Act
    const jsonl = await describe(Buffer.from('{"a":1}\n'), 'train.jsonl');
    const unknown = await describe(Buffer.from('whatever'), 'notes.xyz');

    // Assess
    expect(jsonl.result).toBeUndefined();
    expect(unknown.result).toBeUndefined();
    expect(jsonl.sink.findings).toEqual([]);
  });
});
