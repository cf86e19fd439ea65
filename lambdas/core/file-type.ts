/**
 * What kind of file an upload is: `dataset`, `model_artifact`, `archive` or `other`, from the
 * filename's extension and the file's first bytes (`AnalyzeFile` passes the first
 * `fileTypeHeadBytes` of the assembled file).
 *
 * Magic bytes win over the extension where they are decisive: a `.jsonl` that starts with
 * `PK\x03\x04` is a zip archive, whatever its name says. Container formats are the exception
 * that needs both: PyTorch checkpoints (`torch.save` since 1.6) and Keras 3 `.keras` files are
 * zips, so a zip with a model extension is a model artifact, and a pickle (legacy `torch.save`)
 * with a PyTorch extension is a PyTorch checkpoint. Formats without a magic number (ONNX and
 * TensorFlow `.pb` are bare protobuf, JSON/CSV/text have none) are known by extension only; an
 * extension whose format has a magic number that is absent says so in `detectedBy`.
 */
import type { FileType } from '../workflow/contract.js';

/** How many leading bytes detection looks at (tar's `ustar` sits at offset 257). */
export const fileTypeHeadBytes = 512;

export interface DetectedFileType {
  fileType: FileType;
  /** What the type was recognized from, e.g. `extension .jsonl`, `magic bytes PK\x03\x04 (zip)`. */
  detectedBy: string;
  /** The concrete format when known, e.g. `parquet`, `gguf`, `zip`. */
  format?: string;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const startsWith = (head: Uint8Array, bytes: readonly number[], offset = 0): boolean =>
  head.length >= offset + bytes.length && bytes.every((byte, i) => head[offset + i] === byte);

/** safetensors: an 8-byte little-endian header length, then the JSON header `{"`. */
function isSafetensors(head: Uint8Array): boolean {
  if (head.length < 10 || head[8] !== 0x7b || head[9] !== 0x22) return false;
  const headerLength = Buffer.from(head.buffer, head.byteOffset, 8).readBigUInt64LE(0);
  // The format caps the header at 100 MB; a text file cannot start with the NUL bytes this implies.
  return headerLength >= 2n && headerLength <= 100_000_000n;
}

/** bzip2: `BZh1`..`BZh9`, then a block header (pi's digits) or the end-of-stream marker (sqrt pi). */
const isBzip2 = (head: Uint8Array): boolean =>
  startsWith(head, ascii('BZh')) &&
  (head[3] ?? 0) >= 0x31 &&
  (head[3] ?? 0) <= 0x39 &&
  (startsWith(head, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) ||
    startsWith(head, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4));

/** Pickle protocols 2-5 start with the PROTO opcode 0x80 and the protocol number. */
const isPickle = (head: Uint8Array): boolean =>
  head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5;

const pytorchExtensions = new Set(['pt', 'pth', 'bin', 'ckpt']);

interface Classified {
  fileType: FileType;
  format: string;
}

interface Signature {
  /** How the magic reads in `detectedBy`. */
  label: string;
  matches: (head: Uint8Array) => boolean;
  classify: (extension: string | undefined) => Classified;
  /** Whether the extension took part in the decision (named in `detectedBy`). */
  usesExtension?: (extension: string | undefined) => boolean;
}

const fixed = (fileType: FileType, format: string) => (): Classified => ({ fileType, format });

/** Checked in order; the first that matches decides. */
const signatures: readonly Signature[] = [
  {
    label: 'PK\\x03\\x04 (zip)',
    // Also the empty-archive (PK\x05\x06) and spanned-archive (PK\x07\x08) headers.
    matches: (h) =>
      startsWith(h, [0x50, 0x4b]) && [0x0304, 0x0506, 0x0708].includes(((h[2] ?? 0) << 8) | (h[3] ?? 0)),
    classify: (ext) =>
      ext === 'keras'
        ? { fileType: 'model_artifact', format: 'keras' }
        : ext !== undefined && pytorchExtensions.has(ext)
          ? { fileType: 'model_artifact', format: 'pytorch' }
          : { fileType: 'archive', format: 'zip' },
    usesExtension: (ext) => ext === 'keras' || (ext !== undefined && pytorchExtensions.has(ext)),
  },
  {
    label: '\\x1f\\x8b (gzip)',
    matches: (h) => startsWith(h, [0x1f, 0x8b]),
    classify: fixed('archive', 'gzip'),
  },
  {
    label: 'ustar at offset 257 (tar)',
    matches: (h) => startsWith(h, ascii('ustar'), 257),
    classify: fixed('archive', 'tar'),
  },
  {
    label: '\\x28\\xb5\\x2f\\xfd (zstd)',
    matches: (h) => startsWith(h, [0x28, 0xb5, 0x2f, 0xfd]),
    classify: fixed('archive', 'zstd'),
  },
  {
    label: '7z\\xbc\\xaf\\x27\\x1c (7z)',
    matches: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
    classify: fixed('archive', '7z'),
  },
  { label: 'BZh (bzip2)', matches: isBzip2, classify: fixed('archive', 'bzip2') },
  {
    label: '\\xfd7zXZ\\x00 (xz)',
    matches: (h) => startsWith(h, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
    classify: fixed('archive', 'xz'),
  },
  {
    label: 'PAR1 (parquet)',
    matches: (h) => startsWith(h, ascii('PAR1')),
    classify: fixed('dataset', 'parquet'),
  },
  {
    label: 'ARROW1 (arrow)',
    matches: (h) => startsWith(h, ascii('ARROW1')),
    classify: fixed('dataset', 'arrow'),
  },
  {
    label: 'GGUF (gguf)',
    matches: (h) => startsWith(h, ascii('GGUF')),
    classify: fixed('model_artifact', 'gguf'),
  },
  {
    label: '\\x89HDF\\r\\n\\x1a\\n (hdf5)',
    matches: (h) => startsWith(h, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
    classify: fixed('model_artifact', 'hdf5'),
  },
  {
    label: 'TFL3 at offset 4 (tflite)',
    matches: (h) => startsWith(h, ascii('TFL3'), 4),
    classify: fixed('model_artifact', 'tflite'),
  },
  {
    label: '8-byte header length then { (safetensors)',
    matches: isSafetensors,
    classify: fixed('model_artifact', 'safetensors'),
  },
  {
    label: '\\x80 protocol 2-5 (pickle)',
    matches: isPickle,
    classify: (ext) => ({
      fileType: 'model_artifact',
      format: ext !== undefined && pytorchExtensions.has(ext) ? 'pytorch' : 'pickle',
    }),
    usesExtension: (ext) => ext !== undefined && pytorchExtensions.has(ext),
  },
];

interface ExtensionRule extends Classified {
  /** The magic this format always has, when it has one: its absence is reported. */
  expectedMagic?: string;
}

const extensionRules: Record<string, ExtensionRule> = {
  jsonl: { fileType: 'dataset', format: 'jsonl' },
  json: { fileType: 'dataset', format: 'json' },
  csv: { fileType: 'dataset', format: 'csv' },
  tsv: { fileType: 'dataset', format: 'tsv' },
  txt: { fileType: 'dataset', format: 'text' },
  parquet: { fileType: 'dataset', format: 'parquet', expectedMagic: 'PAR1' },
  // Arrow's stream format has no magic (only the IPC file format starts with ARROW1).
  arrow: { fileType: 'dataset', format: 'arrow' },
  safetensors: { fileType: 'model_artifact', format: 'safetensors', expectedMagic: 'safetensors header' },
  gguf: { fileType: 'model_artifact', format: 'gguf', expectedMagic: 'GGUF' },
  onnx: { fileType: 'model_artifact', format: 'onnx' },
  pt: { fileType: 'model_artifact', format: 'pytorch' },
  pth: { fileType: 'model_artifact', format: 'pytorch' },
  bin: { fileType: 'model_artifact', format: 'pytorch' },
  ckpt: { fileType: 'model_artifact', format: 'pytorch' },
  h5: { fileType: 'model_artifact', format: 'hdf5', expectedMagic: 'HDF5' },
  keras: { fileType: 'model_artifact', format: 'keras', expectedMagic: 'zip or HDF5' },
  pkl: { fileType: 'model_artifact', format: 'pickle' },
  pickle: { fileType: 'model_artifact', format: 'pickle' },
  tflite: { fileType: 'model_artifact', format: 'tflite', expectedMagic: 'TFL3' },
  pb: { fileType: 'model_artifact', format: 'protobuf' },
  zip: { fileType: 'archive', format: 'zip', expectedMagic: 'zip' },
  gz: { fileType: 'archive', format: 'gzip', expectedMagic: 'gzip' },
  tgz: { fileType: 'archive', format: 'gzip', expectedMagic: 'gzip' },
  tar: { fileType: 'archive', format: 'tar', expectedMagic: 'tar' },
  zst: { fileType: 'archive', format: 'zstd', expectedMagic: 'zstd' },
  '7z': { fileType: 'archive', format: '7z', expectedMagic: '7z' },
  bz2: { fileType: 'archive', format: 'bzip2', expectedMagic: 'bzip2' },
  xz: { fileType: 'archive', format: 'xz', expectedMagic: 'xz' },
};

/** The lowercased last extension of the filename's last path segment (`undefined` for `.env`, `README`). */
export function extensionOf(filename: string): string | undefined {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 && dot < base.length - 1 ? base.slice(dot + 1).toLowerCase() : undefined;
}

/** Detects the file type from the filename and the file's first bytes (at least `fileTypeHeadBytes` when the file has them). */
export function detectFileType(filename: string, head: Uint8Array): DetectedFileType {
  const extension = extensionOf(filename);
  const signature = signatures.find((s) => s.matches(head));
  if (signature !== undefined) {
    const withExtension = signature.usesExtension?.(extension) ? ` with extension .${extension}` : '';
    return { ...signature.classify(extension), detectedBy: `magic bytes ${signature.label}${withExtension}` };
  }
  const rule = extension === undefined ? undefined : extensionRules[extension];
  if (rule !== undefined) {
    const missing = rule.expectedMagic === undefined ? '' : ` (no ${rule.expectedMagic} magic bytes)`;
    return { fileType: rule.fileType, format: rule.format, detectedBy: `extension .${extension}${missing}` };
  }
  const what = extension === undefined ? 'no extension' : `unrecognized extension .${extension}`;
  return { fileType: 'other', detectedBy: `${what} and no known magic bytes` };
}
