import { describe, expect, it } from 'vitest';
import { detectFileType, extensionOf } from '../../../lambdas/core/file-type.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
  );

const zip = bytes([0x50, 0x4b, 0x03, 0x04], 'rest of a zip');
const pickle = (protocol: number) => bytes([0x80, protocol, 0x95], 'pickled');
const tar = (() => {
  const head = new Uint8Array(512);
  head.set(Buffer.from('data/train.jsonl'), 0);
  head.set(Buffer.from('ustar\u000000'), 257);
  return head;
})();
const safetensors = (() => {
  const header = '{"weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return bytes([...length], header);
})();
const tflite = bytes([0x1c, 0x00, 0x00, 0x00], 'TFL3', [0, 0]);
const hdf5 = bytes([0x89], 'HDF\r\n\x1a\n', [0, 0]);

describe('detectFileType by magic bytes', () => {
  it.each([
    ['a zip', 'bundle.zip', zip, 'archive', 'zip', 'magic bytes PK\\x03\\x04 (zip)'],
    ['a .jsonl that is really a zip', 'train.jsonl', zip, 'archive', 'zip', 'magic bytes PK\\x03\\x04 (zip)'],
    [
      'an empty zip',
      'empty.zip',
      bytes('PK', [5, 6], [0, 0]),
      'archive',
      'zip',
      'magic bytes PK\\x03\\x04 (zip)',
    ],
    [
      'a PyTorch zip checkpoint (.pt)',
      'model.pt',
      zip,
      'model_artifact',
      'pytorch',
      'magic bytes PK\\x03\\x04 (zip) with extension .pt',
    ],
    [
      'a PyTorch zip checkpoint (.pth)',
      'model.pth',
      zip,
      'model_artifact',
      'pytorch',
      'magic bytes PK\\x03\\x04 (zip) with extension .pth',
    ],
    [
      'a PyTorch zip checkpoint (.bin)',
      'pytorch_model.bin',
      zip,
      'model_artifact',
      'pytorch',
      'magic bytes PK\\x03\\x04 (zip) with extension .bin',
    ],
    [
      'a PyTorch zip checkpoint (.ckpt)',
      'last.ckpt',
      zip,
      'model_artifact',
      'pytorch',
      'magic bytes PK\\x03\\x04 (zip) with extension .ckpt',
    ],
    [
      'a Keras 3 file (zip)',
      'model.keras',
      zip,
      'model_artifact',
      'keras',
      'magic bytes PK\\x03\\x04 (zip) with extension .keras',
    ],
    [
      'a gzip (.jsonl.gz)',
      'train.jsonl.gz',
      bytes([0x1f, 0x8b, 0x08]),
      'archive',
      'gzip',
      'magic bytes \\x1f\\x8b (gzip)',
    ],
    ['a tar', 'data.tar', tar, 'archive', 'tar', 'magic bytes ustar at offset 257 (tar)'],
    [
      'a zstd frame',
      'data.zst',
      bytes([0x28, 0xb5, 0x2f, 0xfd, 0]),
      'archive',
      'zstd',
      'magic bytes \\x28\\xb5\\x2f\\xfd (zstd)',
    ],
    [
      'a 7z archive',
      'data.7z',
      bytes('7z', [0xbc, 0xaf, 0x27, 0x1c, 0, 4]),
      'archive',
      '7z',
      'magic bytes 7z\\xbc\\xaf\\x27\\x1c (7z)',
    ],
    [
      'a bzip2 stream',
      'data.bz2',
      bytes('BZh9', [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]),
      'archive',
      'bzip2',
      'magic bytes BZh (bzip2)',
    ],
    [
      'an empty bzip2 stream',
      'empty.bz2',
      bytes('BZh9', [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]),
      'archive',
      'bzip2',
      'magic bytes BZh (bzip2)',
    ],
    [
      'an xz stream',
      'data.xz',
      bytes([0xfd], '7zXZ', [0]),
      'archive',
      'xz',
      'magic bytes \\xfd7zXZ\\x00 (xz)',
    ],
    [
      'a parquet file named .csv',
      'rows.csv',
      bytes('PAR1', [0x15, 0x04]),
      'dataset',
      'parquet',
      'magic bytes PAR1 (parquet)',
    ],
    [
      'an Arrow IPC file',
      'rows.arrow',
      bytes('ARROW1', [0, 0]),
      'dataset',
      'arrow',
      'magic bytes ARROW1 (arrow)',
    ],
    [
      'a GGUF model',
      'llama.gguf',
      bytes('GGUF', [3, 0, 0, 0]),
      'model_artifact',
      'gguf',
      'magic bytes GGUF (gguf)',
    ],
    [
      'an HDF5 model (.h5)',
      'model.h5',
      hdf5,
      'model_artifact',
      'hdf5',
      'magic bytes \\x89HDF\\r\\n\\x1a\\n (hdf5)',
    ],
    [
      'a legacy Keras file (HDF5)',
      'model.keras',
      hdf5,
      'model_artifact',
      'hdf5',
      'magic bytes \\x89HDF\\r\\n\\x1a\\n (hdf5)',
    ],
    [
      'a TFLite model',
      'model.tflite',
      tflite,
      'model_artifact',
      'tflite',
      'magic bytes TFL3 at offset 4 (tflite)',
    ],
    [
      'a safetensors file',
      'model.safetensors',
      safetensors,
      'model_artifact',
      'safetensors',
      'magic bytes 8-byte header length then { (safetensors)',
    ],
    [
      'a safetensors file with no extension',
      'weights',
      safetensors,
      'model_artifact',
      'safetensors',
      'magic bytes 8-byte header length then { (safetensors)',
    ],
    [
      'a pickle (.pkl)',
      'model.pkl',
      pickle(4),
      'model_artifact',
      'pickle',
      'magic bytes \\x80 protocol 2-5 (pickle)',
    ],
    [
      'a pickle (.pickle)',
      'model.pickle',
      pickle(2),
      'model_artifact',
      'pickle',
      'magic bytes \\x80 protocol 2-5 (pickle)',
    ],
    [
      'a legacy PyTorch pickle (.pt)',
      'model.pt',
      pickle(2),
      'model_artifact',
      'pytorch',
      'magic bytes \\x80 protocol 2-5 (pickle) with extension .pt',
    ],
  ])('recognizes %s', (_, filename, head, fileType, format, detectedBy) => {
    // Act
    const detected = detectFileType(filename, head);

    // Assess
    expect(detected).toEqual({ fileType, format, detectedBy });
  });
});

describe('detectFileType by extension', () => {
  const text = bytes('{"prompt": "hi", "completion": "there"}\n');

  it.each([
    ['train.jsonl', 'dataset', 'jsonl', 'extension .jsonl'],
    ['TRAIN.JSONL', 'dataset', 'jsonl', 'extension .jsonl'],
    ['data.json', 'dataset', 'json', 'extension .json'],
    ['rows.csv', 'dataset', 'csv', 'extension .csv'],
    ['rows.tsv', 'dataset', 'tsv', 'extension .tsv'],
    ['corpus.txt', 'dataset', 'text', 'extension .txt'],
    ['rows.arrow', 'dataset', 'arrow', 'extension .arrow'],
    ['model.onnx', 'model_artifact', 'onnx', 'extension .onnx'],
    ['saved_model.pb', 'model_artifact', 'protobuf', 'extension .pb'],
    ['model.pt', 'model_artifact', 'pytorch', 'extension .pt'],
    ['model.pth', 'model_artifact', 'pytorch', 'extension .pth'],
    ['pytorch_model.bin', 'model_artifact', 'pytorch', 'extension .bin'],
    ['last.ckpt', 'model_artifact', 'pytorch', 'extension .ckpt'],
    ['model.pkl', 'model_artifact', 'pickle', 'extension .pkl'],
    ['model.pickle', 'model_artifact', 'pickle', 'extension .pickle'],
  ])('classifies %s without magic bytes by its extension', (filename, fileType, format, detectedBy) => {
    // Act
    const detected = detectFileType(filename, text);

    // Assess
    expect(detected).toEqual({ fileType, format, detectedBy });
  });

  it.each([
    ['rows.parquet', 'dataset', 'parquet', 'extension .parquet (no PAR1 magic bytes)'],
    [
      'model.safetensors',
      'model_artifact',
      'safetensors',
      'extension .safetensors (no safetensors header magic bytes)',
    ],
    ['llama.gguf', 'model_artifact', 'gguf', 'extension .gguf (no GGUF magic bytes)'],
    ['model.h5', 'model_artifact', 'hdf5', 'extension .h5 (no HDF5 magic bytes)'],
    ['model.keras', 'model_artifact', 'keras', 'extension .keras (no zip or HDF5 magic bytes)'],
    ['model.tflite', 'model_artifact', 'tflite', 'extension .tflite (no TFL3 magic bytes)'],
    ['bundle.zip', 'archive', 'zip', 'extension .zip (no zip magic bytes)'],
    ['bundle.gz', 'archive', 'gzip', 'extension .gz (no gzip magic bytes)'],
    ['bundle.tgz', 'archive', 'gzip', 'extension .tgz (no gzip magic bytes)'],
    ['bundle.tar', 'archive', 'tar', 'extension .tar (no tar magic bytes)'],
    ['bundle.zst', 'archive', 'zstd', 'extension .zst (no zstd magic bytes)'],
    ['bundle.7z', 'archive', '7z', 'extension .7z (no 7z magic bytes)'],
    ['bundle.bz2', 'archive', 'bzip2', 'extension .bz2 (no bzip2 magic bytes)'],
    ['bundle.xz', 'archive', 'xz', 'extension .xz (no xz magic bytes)'],
  ])('says when %s lacks the magic bytes its format always has', (filename, fileType, format, detectedBy) => {
    // Act
    const detected = detectFileType(filename, text);

    // Assess
    expect(detected).toEqual({ fileType, format, detectedBy });
  });
});

describe('detectFileType fallbacks', () => {
  it('answers other for an unknown extension and no known magic bytes', () => {
    // Act
    const detected = detectFileType('notes.docx.bak', bytes('hello'));

    // Assess
    expect(detected).toEqual({
      fileType: 'other',
      detectedBy: 'unrecognized extension .bak and no known magic bytes',
    });
  });

  it('answers other for a name without an extension', () => {
    // Act
    const detected = detectFileType('README', bytes('hello'));

    // Assess
    expect(detected).toEqual({ fileType: 'other', detectedBy: 'no extension and no known magic bytes' });
  });

  it('handles an empty file by its extension', () => {
    // Act
    const detected = detectFileType('empty.jsonl', new Uint8Array(0));

    // Assess
    expect(detected).toEqual({ fileType: 'dataset', format: 'jsonl', detectedBy: 'extension .jsonl' });
  });

  it('does not take a text file that starts with BZh for bzip2', () => {
    // Act
    const detected = detectFileType('names.txt', bytes('BZh9 is not a block header\n'));

    // Assess
    expect(detected.fileType).toBe('dataset');
  });

  it('does not take pickle protocol 0 or 1 bytes (0x80 followed by another byte) for a pickle', () => {
    // Act
    const detected = detectFileType('blob.dat', bytes([0x80, 0x01, 0x00]));

    // Assess
    expect(detected.fileType).toBe('other');
  });

  it('does not take a safetensors-like prefix with an absurd header length for safetensors', () => {
    // Act
    const detected = detectFileType(
      'blob.dat',
      bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], '{"'),
    );

    // Assess
    expect(detected.fileType).toBe('other');
  });
});

describe('extensionOf', () => {
  it.each([
    ['train.jsonl', 'jsonl'],
    ['archive.TAR.GZ', 'gz'],
    ['.env', undefined],
    ['trailing.', undefined],
    ['dir.v1/README', undefined],
  ])('reads the extension of %s', (filename, extension) => {
    // Act
    const read = extensionOf(filename);

    // Assess
    expect(read).toBe(extension);
  });
});
