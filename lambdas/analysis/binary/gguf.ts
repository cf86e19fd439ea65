/**
 * GGUF (ggml's model format), read from the front:
 *   magic `GGUF`, version u32, tensor_count u64, kv_count u64        (v1: the counts are u32)
 *   kv_count x { key: string, type: u32, value }                     (string = u64 length + UTF-8)
 *   tensor_count x { name: string, n_dims: u32, dims: u64[n_dims], type: u32, offset: u64 }
 *   padding to `general.alignment` (default 32), then the tensor data.
 * Arrays (`type 9`: element type u32, count u64, elements) can be huge (a tokenizer vocabulary
 * of 150k strings, merges, scores): fixed-size elements are skipped by arithmetic without
 * reading them; string elements need their length prefixes read, through the cursor's
 * read-ahead window, but are never decoded or kept. Only the metadata and the tensor infos are
 * read, never the tensor data.
 */
import type { ArtifactDescription } from '../types.js';
import { type BinaryContext, shortString } from './binary-context.js';
import { BinaryFormatError, ReadBudgetExceededError } from './binary-errors.js';
import { ggmlTypeLayout, ggmlTypeNames, llamaFileTypeNames } from './gguf-names.js';
import { ByteCursor } from './ranged-buffer.js';

const code = 'CORRUPT_GGUF';
/** Far above any real model (a few thousand tensors, a few hundred keys); guards the loops. */
const maxCount = 10_000_000;
const maxDims = 8;
const maxKeptStringChars = 256;

/** `gguf_type`: the value types of metadata. */
const ValueType = {
  Uint8: 0,
  Int8: 1,
  Uint16: 2,
  Int16: 3,
  Uint32: 4,
  Int32: 5,
  Float32: 6,
  Bool: 7,
  String: 8,
  Array: 9,
  Uint64: 10,
  Int64: 11,
  Float64: 12,
} as const;

const fixedSizes: Record<number, number> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

/** A metadata value as kept: scalars and short strings; arrays and long strings by their size. */
type KeptValue =
  | number
  | bigint
  | boolean
  | string
  | { arrayOf: string; length: number }
  | { stringLength: number };

class GgufReader {
  constructor(
    readonly cursor: ByteCursor,
    private readonly version: number,
  ) {}

  async count(what: string): Promise<number> {
    const value = this.version === 1 ? BigInt(await this.cursor.u32(what)) : await this.cursor.u64(what);
    if (value > BigInt(maxCount))
      throw new BinaryFormatError(code, `${what} is ${value}, beyond any real model`);
    return Number(value);
  }

  async stringLength(what: string): Promise<number> {
    const length = this.version === 1 ? BigInt(await this.cursor.u32(what)) : await this.cursor.u64(what);
    if (length > BigInt(this.cursor.remaining)) {
      throw new BinaryFormatError(code, `${what} claims ${length} bytes, more than the rest of the file`);
    }
    return Number(length);
  }

  async string(what: string): Promise<string> {
    return this.cursor.string(await this.stringLength(what), what);
  }

  async value(type: number, what: string): Promise<KeptValue> {
    const c = this.cursor;
    switch (type) {
      case ValueType.Uint8:
        return c.u8(what);
      case ValueType.Int8:
        return ((await c.u8(what)) << 24) >> 24;
      case ValueType.Uint16:
        return c.u16(what);
      case ValueType.Int16:
        return ((await c.u16(what)) << 16) >> 16;
      case ValueType.Uint32:
        return c.u32(what);
      case ValueType.Int32:
        return c.i32(what);
      case ValueType.Float32:
        return c.f32(what);
      case ValueType.Bool:
        return (await c.u8(what)) !== 0;
      case ValueType.Uint64:
        return narrow(await c.u64(what));
      case ValueType.Int64:
        return narrow(await c.i64(what));
      case ValueType.Float64:
        return c.f64(what);
      case ValueType.String: {
        const length = await this.stringLength(what);
        if (length > 64 * 1024) {
          c.skip(length, what);
          return { stringLength: length };
        }
        return shortString(await c.string(length, what), maxKeptStringChars);
      }
      case ValueType.Array: {
        const elementType = await c.u32(what);
        const length = await this.count(`${what} array length`);
        await this.skipElements(elementType, length, what);
        return { arrayOf: valueTypeName(elementType), length };
      }
      default:
        throw new BinaryFormatError(code, `${what} has unknown value type ${type}`);
    }
  }

  /** Skips `length` array elements: by arithmetic for fixed sizes, by length prefixes for strings. */
  private async skipElements(elementType: number, length: number, what: string): Promise<void> {
    const fixed = fixedSizes[elementType];
    if (fixed !== undefined) {
      this.cursor.skip(fixed * length, `${what} (${length} elements)`);
    } else if (elementType === ValueType.String) {
      for (let i = 0; i < length; i++) this.cursor.skip(await this.stringLength(what), what);
    } else if (elementType === ValueType.Array) {
      for (let i = 0; i < length; i++) {
        const innerType = await this.cursor.u32(what);
        await this.skipElements(innerType, await this.count(what), what);
      }
    } else {
      throw new BinaryFormatError(code, `${what} is an array of unknown value type ${elementType}`);
    }
  }
}

const valueTypeNames = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64',
];
const valueTypeName = (type: number): string => valueTypeNames[type] ?? `type ${type}`;
const narrow = (value: bigint): number | bigint =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
const typeName = (type: number): string => ggmlTypeNames[type] ?? `type ${type}`;

function fileTypeName(fileType: number): string {
  // llama.cpp marks a file type it inferred from the tensors with bit 1024.
  const guessed = (fileType & 1024) !== 0;
  const base = llamaFileTypeNames[fileType & ~1024] ?? `file type ${fileType & ~1024}`;
  return guessed ? `${base} (guessed)` : base;
}

export async function describeGguf(ctx: BinaryContext): Promise<ArtifactDescription> {
  const { reader, findings } = ctx;
  const cursor = new ByteCursor(reader, 0);
  const magic = await cursor.string(4, 'the GGUF magic');
  if (magic !== 'GGUF') throw new BinaryFormatError(code, 'the file does not start with the GGUF magic');
  let version = await cursor.u32('the GGUF version');
  // A big-endian GGUF (for s390x) has the same magic and its version byte-swapped.
  if (version > 0xffff) {
    cursor.littleEndian = false;
    version =
      ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
  }
  if (version < 1 || version > 3) throw new BinaryFormatError(code, `unsupported GGUF version ${version}`);
  const gguf = new GgufReader(cursor, version);
  const tensorCount = await gguf.count('the tensor count');
  const kvCount = await gguf.count('the metadata key count');

  const details: Record<string, unknown> = { version, littleEndian: cursor.littleEndian, kvCount };
  const artifact: ArtifactDescription = { format: 'gguf', framework: 'gguf', tensorCount, details };
  const metadata = new Map<string, KeptValue>();
  try {
    for (let i = 0; i < kvCount; i++) {
      const key = await gguf.string(`metadata key ${i}`);
      const type = await cursor.u32(`the type of metadata key ${key}`);
      metadata.set(key, await gguf.value(type, `metadata value ${key}`));
    }
    Object.assign(details, summarize(metadata));

    const dtypes: Record<string, number> = {};
    let parameterCount = 0;
    const tensors: { name: string; type: number; elements: number; offset: bigint }[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await gguf.string(`tensor ${i} name`);
      const nDims = await cursor.u32(`tensor ${name} dimension count`);
      if (nDims > maxDims) throw new BinaryFormatError(code, `tensor ${name} has ${nDims} dimensions`);
      let elements = 1;
      for (let d = 0; d < nDims; d++) elements *= Number(await cursor.u64(`tensor ${name} dimension ${d}`));
      const type = await cursor.u32(`tensor ${name} type`);
      const offset = await cursor.u64(`tensor ${name} offset`);
      dtypes[typeName(type)] = (dtypes[typeName(type)] ?? 0) + 1;
      parameterCount += elements;
      tensors.push({ name, type, elements, offset });
    }
    artifact.dtypes = dtypes;
    artifact.parameterCount = parameterCount;
    checkTensorData(tensors, cursor.position, metadata.get('general.alignment'), ctx);
  } catch (error) {
    if (!(error instanceof ReadBudgetExceededError)) throw error;
    Object.assign(details, summarize(metadata));
    findings.report({
      severity: 'warning',
      code: 'ANALYSIS_BUDGET_EXCEEDED',
      message: `GGUF metadata is larger than the read budget: described from the first ${metadata.size} keys (${error.message})`,
    });
  }
  return artifact;
}

/** The keys people look for, under stable names. */
function summarize(metadata: Map<string, KeptValue>): Record<string, unknown> {
  const architecture = metadata.get('general.architecture');
  const arch = typeof architecture === 'string' ? architecture : undefined;
  const fileType = metadata.get('general.file_type');
  const tokens = metadata.get('tokenizer.ggml.tokens');
  const picked: Record<string, unknown> = {
    architecture: arch,
    name: metadata.get('general.name'),
    sizeLabel: metadata.get('general.size_label'),
    contextLength: arch === undefined ? undefined : metadata.get(`${arch}.context_length`),
    embeddingLength: arch === undefined ? undefined : metadata.get(`${arch}.embedding_length`),
    blockCount: arch === undefined ? undefined : metadata.get(`${arch}.block_count`),
    fileType: typeof fileType === 'number' ? fileType : undefined,
    quantization: typeof fileType === 'number' ? fileTypeName(fileType) : undefined,
    tokenizerModel: metadata.get('tokenizer.ggml.model'),
    vocabularySize:
      typeof tokens === 'object' && tokens !== null && 'length' in tokens ? tokens.length : undefined,
    alignment: metadata.get('general.alignment'),
  };
  return Object.fromEntries(
    Object.entries(picked)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]),
  );
}

/** Tensor data starts at the first aligned offset after the infos; each tensor must end inside the file. */
function checkTensorData(
  tensors: { name: string; type: number; elements: number; offset: bigint }[],
  infosEnd: number,
  alignmentValue: KeptValue | undefined,
  { reader, findings }: BinaryContext,
): void {
  const alignment = typeof alignmentValue === 'number' && alignmentValue > 0 ? alignmentValue : 32;
  const dataStart = Math.ceil(infosEnd / alignment) * alignment;
  for (const tensor of tensors) {
    const layout = ggmlTypeLayout[tensor.type];
    const bytes =
      layout === undefined ? 0 : Math.ceil(tensor.elements / layout.blockElements) * layout.blockBytes;
    const end = dataStart + Number(tensor.offset) + bytes;
    if (end > reader.size) {
      findings.report({
        severity: 'error',
        code: 'TRUNCATED_FILE',
        field: tensor.name,
        message: `tensor ${tensor.name} (${typeName(tensor.type)}) ends at byte ${end} but the file has ${reader.size} bytes`,
      });
      return;
    }
  }
}
