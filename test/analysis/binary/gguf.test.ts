import { expect, describe as group, it } from 'vitest';
import { describe, ggufFile } from './binary-fixtures.js';

const vocabulary = Array.from({ length: 50_000 }, (_, i) => `token_${i}`);

function llamaLikeGguf() {
  return ggufFile(
    [
      ['general.architecture', { type: 'string', value: 'llama' }],
      ['general.name', { type: 'string', value: 'Tiny Llama' }],
      ['general.file_type', { type: 'u32', value: 15 }],
      ['llama.context_length', { type: 'u32', value: 4096 }],
      ['llama.embedding_length', { type: 'u32', value: 256 }],
      ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
      ['tokenizer.ggml.tokens', { type: 'strings', value: vocabulary }],
      ['tokenizer.ggml.scores', { type: 'f32s', count: 50_000 }],
    ],
    [
      // Q4_K: 144 bytes per 256 elements.
      { name: 'token_embd.weight', dims: [256, 50_000], type: 12, bytes: (256 * 50_000 * 144) / 256 },
      { name: 'blk.0.attn_norm.weight', dims: [256], type: 0, bytes: 1024 },
      { name: 'output.weight', dims: [256, 1024], type: 14, bytes: (256 * 1024 * 210) / 256 },
    ],
  );
}

group('describeBinary on GGUF', () => {
  it('reads architecture, context length, quantization and parameter count, skipping the vocabulary', async () => {
    // Prepare
    const file = llamaLikeGguf();

    // Act
    const { result, reader, sink } = await describe(file, 'tiny.Q4_K_M.gguf');

    // Assess
    expect(sink.findings).toEqual([]);
    expect(result?.artifact).toEqual({
      format: 'gguf',
      framework: 'gguf',
      tensorCount: 3,
      parameterCount: 256 * 50_000 + 256 + 256 * 1024,
      dtypes: { Q4_K: 1, F32: 1, Q6_K: 1 },
      details: {
        version: 3,
        littleEndian: true,
        kvCount: 8,
        architecture: 'llama',
        name: 'Tiny Llama',
        contextLength: 4096,
        embeddingLength: 256,
        fileType: 15,
        quantization: 'Q4_K_M',
        tokenizerModel: 'llama',
        vocabularySize: 50_000,
      },
    });
    // The header (its 50,000 vocabulary strings included) is ~0.9 MB of an 8.5 MB file: the
    // strings' length prefixes are walked through a doubling read-ahead window (a few large
    // reads, at most about twice the header), the tensor data is never touched.
    expect(reader.reads).toBeLessThanOrEqual(8);
    expect(reader.bytesRead).toBeLessThan(file.length / 4);
  });

  it('reports TRUNCATED_FILE when the tensor data is cut short', async () => {
    // Prepare
    const whole = llamaLikeGguf();
    const file = whole.subarray(0, whole.length - 100_000);

    // Act
    const { result, sink } = await describe(file, 'cut.gguf');

    // Assess
    expect(result?.artifact?.details.architecture).toBe('llama');
    expect(sink.findings).toEqual([
      expect.objectContaining({ severity: 'error', code: 'TRUNCATED_FILE', field: 'output.weight' }),
    ]);
  });

  it('reports CORRUPT_GGUF for an unknown metadata value type', async () => {
    // Prepare
    const file = ggufFile([['general.architecture', { type: 'string', value: 'llama' }]], []);
    file.writeUInt32LE(99, 24 + 8 + 'general.architecture'.length);

    // Act
    const { result, sink } = await describe(file, 'odd.gguf');

    // Assess
    expect(result).toBeUndefined();
    expect(sink.codes()).toEqual(['CORRUPT_GGUF']);
  });

  it('describes what it has and warns when the metadata passes the read budget', async () => {
    // Prepare
    const file = llamaLikeGguf();

    // Act
    const { result, reader, sink } = await describe(file, 'tiny.gguf', { readBudgetBytes: 256 * 1024 });

    // Assess
    expect(reader.bytesRead).toBeLessThanOrEqual(256 * 1024);
    expect(sink.codes()).toEqual(['ANALYSIS_BUDGET_EXCEEDED']);
    expect(result?.artifact?.details).toMatchObject({
      architecture: 'llama',
      contextLength: 4096,
      quantization: 'Q4_K_M',
    });
  });
});
