/** Small generated datasets and artifacts for tests (no downloads). */

/** One well-formed chat example; `i` varies the text so examples are not duplicates. */
export function chatExample(i: number): Record<string, unknown> {
  return {
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: `What is ${i} plus ${i}?` },
      { role: 'assistant', content: `${i} plus ${i} is ${2 * i}.` },
    ],
  };
}

export const jsonl = (records: unknown[]): string => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

export function chatJsonl(count: number): string {
  return jsonl(Array.from({ length: count }, (_, i) => chatExample(i)));
}

export function csvRows(rows: number): string {
  const lines = ['id,text,label'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},"row ${i}, with a comma",${i % 2 === 0 ? 'even' : 'odd'}`);
  return `${lines.join('\n')}\n`;
}

/** A safetensors file: 8-byte LE header length, the JSON header, then the tensor bytes. */
export function safetensors(tensors: Record<string, { dtype: 'F32' | 'F16'; shape: number[] }>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, { dtype, shape }] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset)]);
}
