/**
 * safetensors: an 8-byte little-endian header length N, N bytes of JSON, then the data buffer.
 * The JSON maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative
 * to the data buffer) plus an optional `__metadata__` string map. The format requires the
 * tensors to cover the data buffer exactly, without holes or overlaps (the reference
 * implementation refuses anything else), and caps the header at 100 MB. Only the header is read.
 */
import type { ArtifactDescription } from '../types.js';
import { type BinaryContext, shortString } from './binary-context.js';
import { BinaryFormatError } from './binary-errors.js';

const code = 'CORRUPT_SAFETENSORS';
const maxHeaderBytes = 100_000_000;
const maxMetadataKeys = 64;

/** Bits per element; the FP4/FP6 types pack elements below a byte. */
const dtypeBits: Record<string, number> = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  I64: 64,
  U64: 64,
  F64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  C64: 64,
};

interface TensorEntry {
  name: string;
  elements: number;
  begin: number;
  end: number;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

export async function describeSafetensors(ctx: BinaryContext): Promise<ArtifactDescription> {
  const { reader, findings } = ctx;
  const lengthBytes = await reader.readExact(0, 8, 'the safetensors header length');
  const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(maxHeaderBytes)) {
    throw new BinaryFormatError(code, `header length ${headerLength} exceeds the format's 100 MB limit`);
  }
  const headerBytes = Number(headerLength);
  if (8 + headerBytes > reader.size) {
    throw new BinaryFormatError(
      code,
      `header length ${headerBytes} runs past the end of the ${reader.size}-byte file (truncated or not safetensors)`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        await reader.readExact(8, headerBytes, 'the safetensors header'),
      ),
    );
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
    throw new BinaryFormatError(code, `the header is not valid UTF-8 JSON: ${error.message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new BinaryFormatError(code, 'the header is not a JSON object');
  }

  const dataBytes = reader.size - 8 - headerBytes;
  const dtypes: Record<string, number> = {};
  const tensors: TensorEntry[] = [];
  let metadata: Record<string, string> | undefined;
  let parameterCount = 0;
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(value, ctx);
      continue;
    }
    const tensor = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const shape = tensor?.shape;
    const offsets = tensor?.data_offsets;
    if (
      tensor === null ||
      typeof tensor !== 'object' ||
      typeof tensor.dtype !== 'string' ||
      !Array.isArray(shape) ||
      !shape.every(isCount) ||
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !isCount(offsets[0]) ||
      !isCount(offsets[1]) ||
      offsets[0] > offsets[1]
    ) {
      findings.report({
        severity: 'error',
        code,
        field: name,
        message: `tensor "${name}" needs a string dtype, a shape of non-negative integers and data_offsets [begin, end] with begin <= end`,
      });
      continue;
    }
    const elements = shape.reduce((product: number, dim: number) => product * dim, 1);
    const [begin, end] = offsets as [number, number];
    const bits = dtypeBits[tensor.dtype];
    if (bits !== undefined && Math.ceil((elements * bits) / 8) !== end - begin) {
      findings.report({
        severity: 'error',
        code,
        field: name,
        message: `tensor "${name}" has ${elements} ${tensor.dtype} elements (${Math.ceil((elements * bits) / 8)} bytes) but data_offsets span ${end - begin} bytes`,
      });
    }
    dtypes[tensor.dtype] = (dtypes[tensor.dtype] ?? 0) + 1;
    parameterCount += elements;
    tensors.push({ name, elements, begin, end });
  }
  checkCoverage(tensors, dataBytes, ctx);

  const details: Record<string, unknown> = { headerBytes };
  if (metadata !== undefined) details.metadata = metadata;
  return {
    format: 'safetensors',
    framework: 'safetensors',
    tensorCount: tensors.length,
    parameterCount,
    dtypes,
    details,
  };
}

/** The tensors must tile the data buffer: sorted by begin, each starts where the previous ended. */
function checkCoverage(tensors: TensorEntry[], dataBytes: number, { findings }: BinaryContext): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const tensor of sorted) {
    if (tensor.end > dataBytes) {
      findings.report({
        severity: 'error',
        code,
        field: tensor.name,
        message: `tensor "${tensor.name}" ends at data byte ${tensor.end}, past the ${dataBytes}-byte data buffer (truncated file?)`,
      });
      return;
    }
    if (tensor.begin !== expected) {
      findings.report({
        severity: 'error',
        code,
        field: tensor.name,
        message: `tensor "${tensor.name}" starts at data byte ${tensor.begin} but the previous tensor ends at ${expected}: tensors must be contiguous without holes or overlaps`,
      });
      return;
    }
    expected = tensor.end;
  }
  if (expected !== dataBytes) {
    findings.report({
      severity: 'error',
      code,
      message: `the tensors cover ${expected} bytes but the data buffer holds ${dataBytes}: the file has bytes no tensor describes`,
    });
  }
}

function readMetadata(value: unknown, { findings }: BinaryContext): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    findings.report({
      severity: 'error',
      code,
      field: '__metadata__',
      message: '__metadata__ must be an object of string values',
    });
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.some(([, v]) => typeof v !== 'string')) {
    findings.report({
      severity: 'error',
      code,
      field: '__metadata__',
      message: '__metadata__ values must all be strings',
    });
  }
  return Object.fromEntries(
    entries.slice(0, maxMetadataKeys).map(([k, v]) => [shortString(k, 128), shortString(String(v))]),
  );
}
