import fc from 'fast-check';
import { expect, describe as group, it } from 'vitest';
import { describe, ggufFile, safetensorsFile, zipFile } from './binary-fixtures.js';

const extensions = [
  'parquet',
  'safetensors',
  'gguf',
  'onnx',
  'pt',
  'pth',
  'bin',
  'ckpt',
  'pkl',
  'h5',
  'keras',
  'tflite',
  'zip',
  'tar',
  'gz',
  'zst',
];

/** Real magic numbers, so arbitrary bytes get past detection into each describer. */
const prefixes = [
  [],
  [...Buffer.from('PAR1')],
  [...Buffer.from('GGUF'), 3, 0, 0, 0],
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x80, 0x04],
  [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a],
  [0, 0, 0, 0, ...Buffer.from('TFL3')],
  [0x1f, 0x8b],
  [40, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22],
];

const validFiles = [
  {
    file: safetensorsFile([{ name: 'w', dtype: 'F32', shape: [4, 4], bytesPerElement: 4 }]),
    name: 'm.safetensors',
  },
  {
    file: ggufFile(
      [['general.architecture', { type: 'string', value: 'llama' }]],
      [{ name: 't', dims: [8], type: 0, bytes: 32 }],
    ),
    name: 'm.gguf',
  },
  { file: zipFile([{ name: 'archive/data.pkl', data: Buffer.from([0x80, 2]) }]), name: 'm.pt' },
];

group('describeBinary on arbitrary bytes', () => {
  it('never throws for any bytes under a dataset or model extension', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(...extensions),
        async (prefix, rest, extension) => {
          const file = Buffer.concat([Buffer.from(prefix), rest]);
          const { sink } = await describe(file, `upload.${extension}`);
          for (const finding of sink.findings) expect(['error', 'warning']).toContain(finding.severity);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('never throws when valid files are cut or have bytes flipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...validFiles),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        async ({ file, name }, cut, flips) => {
          const damaged = Buffer.from(file.subarray(0, cut % (file.length + 1)));
          for (const [at, byte] of flips) if (damaged.length > 0) damaged[at % damaged.length] = byte;
          await describe(damaged, name);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
