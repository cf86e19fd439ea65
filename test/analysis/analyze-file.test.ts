import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../lambdas/analysis/analyze-file.js';
import type { RangedReader } from '../../lambdas/analysis/types.js';
import { sha256Hex } from '../support/bytes.js';
import { chatJsonl, csvRows, safetensors } from '../support/datasets.js';

const bufferReader = (bytes: Buffer): RangedReader => ({
  size: bytes.length,
  read: async (offset, length) => bytes.subarray(offset, offset + length),
});

async function* inPieces(bytes: Buffer, size: number) {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

const analyze = (filename: string, bytes: Buffer, pieceSize = 64 * 1024) =>
  analyzeFile({ stream: inPieces(bytes, pieceSize), reader: bufferReader(bytes), filename });

describe('analyzeFile', () => {
  it('gives the same report whatever the stream chunking', async () => {
    const file = Buffer.from(chatJsonl(50));

    const whole = await analyze('train.jsonl', file, file.length);
    const tiny = await analyze('train.jsonl', file, 7);

    expect(tiny).toEqual(whole);
    expect(whole).toMatchObject({
      valid: true,
      size: file.length,
      sha256: sha256Hex(file),
      fileType: 'dataset',
    });
    expect(whole.dataset).toMatchObject({ format: 'jsonl', recordCount: 50, schemaFamily: 'chat' });
  });

  it('describes a CSV with its columns and types', async () => {
    const report = await analyze('rows.csv', Buffer.from(csvRows(30)));

    expect(report.dataset?.recordCount).toBe(30);
    expect(report.dataset?.fields.map((field) => [field.name, field.type])).toEqual([
      ['id', 'integer'],
      ['text', 'string'],
      ['label', 'string'],
    ]);
  });

  it('does not hold a file named as something else to dataset rules', async () => {
    const report = await analyze(
      'events.log',
      Buffer.from('{"event":"start","t":1}\n{"event":"stop","t":2}\n'),
    );

    expect(report).toMatchObject({ valid: true, fileType: 'other' });
    expect(report.dataset).toBeUndefined();
  });

  it('refuses a .jsonl that holds no text', async () => {
    const report = await analyze('train.jsonl', Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 9]));

    expect(report.valid).toBe(false);
    expect(report.findings.errors.map((finding) => finding.code)).toContain('UNREADABLE_DATASET');
  });

  it('describes a model artifact from its header while hashing every byte', async () => {
    const file = safetensors({ w: { dtype: 'F16', shape: [128, 64] } });

    const report = await analyze('model.safetensors', file);

    expect(report).toMatchObject({ valid: true, fileType: 'model_artifact', sha256: sha256Hex(file) });
    expect(report.artifact).toMatchObject({ format: 'safetensors', parameterCount: 128 * 64 });
  });
});
