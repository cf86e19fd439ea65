/**
 * Describes binary uploads (Parquet datasets, model artifacts, archives) from their headers,
 * footers and directories, through ranged reads, never the whole object.
 *
 * The format comes from `detectFileType` (lambdas/core/file-type.ts), the same decision that
 * sets the report's `fileType`, so the two never disagree: magic bytes first, the extension
 * where the format has no magic (ONNX, old pickles) or where a container needs it (a zip named
 * `.pt` is a PyTorch checkpoint, `.keras` a Keras model). A file whose extension claims a format
 * with a magic it lacks is still handed to that format's describer, which reports it broken.
 *
 * Outcomes, all through `findings` (nothing escapes but a failing reader):
 *   - the format's structure is broken   -> error `CORRUPT_<FORMAT>` (or a finer code);
 *   - something lies past the end        -> error `TRUNCATED_FILE`;
 *   - the read budget runs out           -> warning `ANALYSIS_BUDGET_EXCEEDED`, partial description;
 *   - a format with nothing to describe  -> `undefined` (text datasets, Arrow, `.pb`, unknown).
 */
import { detectFileType, extensionOf } from '../../core/file-type.js';
import type {
  ArchiveDescription,
  ArtifactDescription,
  DatasetDescription,
  FindingSink,
  RangedReader,
  RecordVisitor,
} from '../types.js';
import type { BinaryContext } from './binary-context.js';
import {
  BinaryFormatError,
  findSourceReadError,
  MalformedStructureError,
  messageOf,
  ReadBudgetExceededError,
  TruncatedFileError,
} from './binary-errors.js';
import { describeGguf } from './gguf.js';
import { describeHdf5, describeKerasZip } from './keras.js';
import { describeOnnx } from './onnx.js';
import { describeParquet } from './parquet.js';
import { describePickle, describePytorchPickle, describePytorchZip } from './pytorch.js';
import { BudgetedReader, defaultReadBudgetBytes } from './ranged-buffer.js';
import { describeSafetensors } from './safetensors.js';
import { describeTar } from './tar.js';
import { describeTflite } from './tflite.js';
import { describeZipArchive } from './zip-archive.js';

export interface DescribeBinaryInput {
  reader: RangedReader;
  filename: string;
  /** The object's first bytes (up to 64 KiB). */
  head: Uint8Array;
  findings: FindingSink;
  /** Record visitors, fed Parquet rows when the file is small enough (see parquet.ts). */
  visitors?: RecordVisitor[];
  /** Ranged reads allowed for headers, footers and directories. @default 64 MiB */
  readBudgetBytes?: number;
}

export interface BinaryDescription {
  dataset?: DatasetDescription;
  artifact?: ArtifactDescription;
  archive?: ArchiveDescription;
}

type Describer = (ctx: BinaryContext) => Promise<BinaryDescription | undefined>;

const startsWith = (head: Uint8Array, bytes: readonly number[]): boolean =>
  bytes.every((byte, i) => head[i] === byte);
const isZip = (head: Uint8Array): boolean => startsWith(head, [0x50, 0x4b]);
const isPickle = (head: Uint8Array): boolean => head[0] === 0x80;

const artifact =
  (describe: (ctx: BinaryContext) => ArtifactDescription | Promise<ArtifactDescription>): Describer =>
  async (ctx) => ({ artifact: await describe(ctx) });

/** Compressed streams: nothing to list without decompressing them whole; their magic is checked. */
function compressed(format: ArchiveDescription['format'], name: string, magic: readonly number[]): Describer {
  return async ({ head }) => {
    if (!startsWith(head, magic)) {
      throw new BinaryFormatError(
        'CORRUPT_ARCHIVE',
        `the file has a ${name} extension but not the ${name} magic bytes`,
      );
    }
    return { archive: { format } };
  };
}

/** Keyed by `DetectedFileType.format`; the value's `corruptCode` names what a broken structure is. */
const describers: Record<string, { describe: Describer; corruptCode: string }> = {
  parquet: {
    describe: async (ctx) => ({ dataset: await describeParquet(ctx) }),
    corruptCode: 'CORRUPT_PARQUET',
  },
  safetensors: { describe: artifact(describeSafetensors), corruptCode: 'CORRUPT_SAFETENSORS' },
  gguf: { describe: artifact(describeGguf), corruptCode: 'CORRUPT_GGUF' },
  onnx: { describe: artifact(describeOnnx), corruptCode: 'CORRUPT_ONNX' },
  tflite: { describe: artifact(describeTflite), corruptCode: 'CORRUPT_TFLITE' },
  hdf5: { describe: artifact(describeHdf5), corruptCode: 'CORRUPT_HDF5' },
  pickle: { describe: artifact(describePickle), corruptCode: 'CORRUPT_PICKLE' },
  pytorch: {
    describe: async (ctx) => {
      if (isZip(ctx.head)) return { artifact: await describePytorchZip(ctx) };
      if (isPickle(ctx.head)) return { artifact: describePytorchPickle(ctx) };
      ctx.findings.report({
        severity: 'warning',
        code: 'UNRECOGNIZED_ARTIFACT',
        message: `the .${ctx.extension} file is neither a zip (torch.save since 1.6) nor a pickle: it could not be described`,
      });
      return undefined;
    },
    corruptCode: 'CORRUPT_ZIP',
  },
  keras: {
    describe: async (ctx) => ({
      artifact: isZip(ctx.head) ? await describeKerasZip(ctx) : describeHdf5(ctx),
    }),
    corruptCode: 'CORRUPT_ZIP',
  },
  zip: { describe: async (ctx) => ({ archive: await describeZipArchive(ctx) }), corruptCode: 'CORRUPT_ZIP' },
  tar: { describe: async (ctx) => ({ archive: await describeTar(ctx) }), corruptCode: 'CORRUPT_TAR' },
  gzip: { describe: compressed('gzip', 'gzip', [0x1f, 0x8b]), corruptCode: 'CORRUPT_ARCHIVE' },
  zstd: { describe: compressed('other', 'zstd', [0x28, 0xb5, 0x2f, 0xfd]), corruptCode: 'CORRUPT_ARCHIVE' },
  bzip2: { describe: compressed('other', 'bzip2', [0x42, 0x5a, 0x68]), corruptCode: 'CORRUPT_ARCHIVE' },
  xz: {
    describe: compressed('other', 'xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
    corruptCode: 'CORRUPT_ARCHIVE',
  },
  '7z': {
    describe: compressed('other', '7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]),
    corruptCode: 'CORRUPT_ARCHIVE',
  },
};

/**
 * Describes a Parquet dataset, a model artifact or an archive from its headers, footers and
 * directories, reporting every problem to `findings`.
 *
 * @returns the description, or `undefined` for formats it does not describe (text datasets,
 *   unknown files) and for files too broken to describe (the findings say why).
 * @throws only when `reader` itself fails (the cause is kept), so the caller can retry.
 */
export async function describeBinary(input: DescribeBinaryInput): Promise<BinaryDescription | undefined> {
  const { format } = detectFileType(input.filename, input.head);
  const entry = format === undefined ? undefined : describers[format];
  if (entry === undefined) return undefined;
  const reader = new BudgetedReader(
    input.reader,
    input.head,
    input.readBudgetBytes ?? defaultReadBudgetBytes,
  );
  const ctx: BinaryContext = {
    source: input.reader,
    reader,
    head: input.head,
    filename: input.filename,
    extension: extensionOf(input.filename),
    findings: input.findings,
    visitors: input.visitors ?? [],
  };
  try {
    return await entry.describe(ctx);
  } catch (error) {
    const sourceError = findSourceReadError(error);
    if (sourceError !== undefined) throw sourceError;
    input.findings.report(toFinding(error, entry.corruptCode));
    return undefined;
  }
}

function toFinding(error: unknown, corruptCode: string) {
  if (error instanceof BinaryFormatError)
    return { severity: 'error' as const, code: error.code, message: error.message };
  if (error instanceof TruncatedFileError)
    return { severity: 'error' as const, code: 'TRUNCATED_FILE', message: error.message };
  if (error instanceof MalformedStructureError)
    return { severity: 'error' as const, code: corruptCode, message: error.message };
  if (error instanceof ReadBudgetExceededError) {
    return {
      severity: 'warning' as const,
      code: 'ANALYSIS_BUDGET_EXCEEDED',
      message: `the file's headers are larger than the read budget: not described (${error.message})`,
    };
  }
  // A bug here must not reject a good upload: a warning, with what happened.
  return {
    severity: 'warning' as const,
    code: 'ANALYSIS_FAILED',
    message: `the file could not be described: ${messageOf(error)}`,
  };
}
