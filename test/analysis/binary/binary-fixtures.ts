/**
 * Builds every binary test file in memory, byte by byte from the formats' specifications (no
 * downloads, no writers from the code under test), and a `RangedReader` that counts what it
 * serves.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { describeBinary } from '../../../lambdas/analysis/binary/describe-binary.js';
import type { Finding, FindingSink, RangedReader, RecordVisitor } from '../../../lambdas/analysis/types.js';

export interface CountingReader extends RangedReader {
  bytesRead: number;
  reads: number;
}

export function countingReader(file: Uint8Array): CountingReader {
  const reader: CountingReader = {
    size: file.length,
    bytesRead: 0,
    reads: 0,
    async read(offset, length) {
      const bytes = file.subarray(offset, Math.min(file.length, offset + length));
      reader.bytesRead += bytes.length;
      reader.reads++;
      return bytes;
    },
  };
  return reader;
}

export function recordingSink(): FindingSink & { findings: Finding[]; codes(): string[] } {
  const findings: Finding[] = [];
  return { findings, report: (f) => findings.push(f), codes: () => findings.map((f) => f.code) };
}

/** Runs `describeBinary` the way the orchestrator does: the first 64 KiB as `head`. */
export async function describe(
  file: Uint8Array,
  filename: string,
  options: { visitors?: RecordVisitor[]; readBudgetBytes?: number } = {},
) {
  const reader = countingReader(file);
  const sink = recordingSink();
  const result = await describeBinary({
    reader,
    filename,
    head: file.subarray(0, 64 * 1024),
    findings: sink,
    ...options,
  });
  return { result, reader, sink };
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf-8');

const u32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
};
const u64 = (value: number | bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(value));
  return b;
};

// ---------- safetensors ----------

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
  bytesPerElement: number;
}

export function safetensorsFile(tensors: TensorSpec[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * t.bytesPerElement;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  return safetensorsWithHeader(header, offset);
}

export function safetensorsWithHeader(header: unknown, dataBytes: number): Buffer {
  const json = utf8(JSON.stringify(header));
  return Buffer.concat([u64(json.length), json, Buffer.alloc(dataBytes, 7)]);
}

// ---------- GGUF ----------

const ggufString = (text: string): Buffer => {
  const bytes = utf8(text);
  return Buffer.concat([u64(bytes.length), bytes]);
};

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'f32s'; count: number };

function ggufValue(v: GgufValue): Buffer {
  switch (v.type) {
    case 'u32':
      return Buffer.concat([u32(4), u32(v.value)]);
    case 'string':
      return Buffer.concat([u32(8), ggufString(v.value)]);
    case 'strings':
      return Buffer.concat([u32(9), u32(8), u64(v.value.length), ...v.value.map(ggufString)]);
    case 'f32s':
      return Buffer.concat([u32(9), u32(6), u64(v.count), Buffer.alloc(v.count * 4)]);
  }
}

export interface GgufTensor {
  name: string;
  dims: number[];
  /** ggml_type: 0 F32, 1 F16, 12 Q4_K ... */
  type: number;
  bytes: number;
}

export function ggufFile(kvs: [string, GgufValue][], tensors: GgufTensor[]): Buffer {
  const parts: Buffer[] = [utf8('GGUF'), u32(3), u64(tensors.length), u64(kvs.length)];
  for (const [key, value] of kvs) parts.push(ggufString(key), ggufValue(value));
  let offset = 0;
  for (const t of tensors) {
    parts.push(ggufString(t.name), u32(t.dims.length), ...t.dims.map(u64), u32(t.type), u64(offset));
    offset += Math.ceil(t.bytes / 32) * 32;
  }
  const infos = Buffer.concat(parts);
  const padding = Buffer.alloc((32 - (infos.length % 32)) % 32);
  return Buffer.concat([infos, padding, Buffer.alloc(offset, 1)]);
}

// ---------- protobuf (ONNX) ----------

export function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export const pbVarint = (field: number, value: number): Buffer =>
  Buffer.concat([varint(field * 8), varint(value)]);
export const pbBytes = (field: number, bytes: Buffer): Buffer =>
  Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes]);
export const pbString = (field: number, text: string): Buffer => pbBytes(field, utf8(text));

/** A TensorProto initializer: dims (packed), data_type, name, raw_data of `rawBytes` bytes. */
export function onnxInitializer(name: string, dims: number[], dataType: number, rawBytes: number): Buffer {
  return Buffer.concat([
    pbBytes(1, Buffer.concat(dims.map(varint))),
    pbVarint(2, dataType),
    pbString(8, name),
    pbBytes(9, Buffer.alloc(rawBytes, 3)),
  ]);
}

// ---------- zip ----------

export interface ZipSpec {
  name: string;
  data: Buffer;
  deflate?: boolean;
}

/**
 * A zip written from the APPNOTE layout: local headers + data, central directory, EOCD. With
 * `zip64`, the directory is found through a zip64 end-of-central-directory record and locator,
 * and the classic record holds the 0xFFFF / 0xFFFFFFFF placeholders (as in checkpoints > 4 GiB).
 */
export function zipFile(entries: ZipSpec[], options: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = utf8(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const method = e.deflate ? 8 : 0;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (!options.zip64) {
    eocd.writeUInt16LE(entries.length, 8);
    eocd.writeUInt16LE(entries.length, 10);
    eocd.writeUInt32LE(directory.length, 12);
    eocd.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, directory, eocd]);
  }
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xffffffff, 12);
  eocd.writeUInt32LE(0xffffffff, 16);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(entries.length), 24);
  record.writeBigUInt64LE(BigInt(entries.length), 32);
  record.writeBigUInt64LE(BigInt(directory.length), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([...locals, directory, record, locator, eocd]);
}

// ---------- tar ----------

function tarHeader(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf-8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

export function tarFile(entries: { name: string; data: Buffer }[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (utf8(e.name).length > 100) {
      const longName = utf8(`${e.name}\0`);
      parts.push(
        tarHeader('././@LongLink', longName.length, 'L'),
        longName,
        Buffer.alloc((512 - (longName.length % 512)) % 512),
      );
    }
    parts.push(
      tarHeader(e.name.slice(0, 100), e.data.length),
      e.data,
      Buffer.alloc((512 - (e.data.length % 512)) % 512),
    );
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
