/**
 * The contract of dataset intelligence: what the single streaming pass produces and how its
 * pieces plug together. No AWS imports anywhere under `lambdas/analysis/`: the pass reads a
 * byte stream and, for headers and footers, a `RangedReader` (S3 `Range` in the workflow, a
 * file or a buffer in tests and in teams' own code).
 *
 * The pass, in `analyze-file.ts`:
 *   bytes ──> sha256 + size
 *         └─> format detection on the first bytes (`formats/detect-format.ts`)
 *               text datasets (JSONL, JSON array, CSV, TSV): a `DatasetParser` turns bytes into
 *                 records and hands each to every `RecordVisitor` (schema checks, field types,
 *                 chat and token statistics, label distribution, later PII/secret scanners)
 *               Parquet, model artifacts, archives: described from headers/footers/directories
 *                 through the `RangedReader`, never downloaded whole
 * Every problem is a `Finding` reported to one `FindingCollector`, which keeps the first N.
 */

import type { PickleScan } from './scan/pickle/scan-pickles.js';
import type { DetectionSummary } from './scan/scan-types.js';
import type { VirusScan } from './scan/virus-types.js';

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet';

export type SchemaFamily = 'chat' | 'prompt_completion' | 'classification' | 'preference' | 'text';

/** What `init`'s `schema` may ask for: detect per record, one family, or a registered JSON Schema. */
export type SchemaExpectation =
  | { kind: 'auto' }
  | { kind: 'family'; family: SchemaFamily }
  | { kind: 'custom'; name: string; jsonSchema: Record<string, unknown> };

export type Severity = 'error' | 'warning';

/** One problem found, located as precisely as the format allows. */
export interface Finding {
  severity: Severity;
  /** Stable, machine-readable code, e.g. `INVALID_JSON`, `MISSING_ASSISTANT_MESSAGE`. */
  code: string;
  /** What is wrong and how to fix it, in words; never a raw PII/secret value. */
  message: string;
  /** 1-based physical line where the record starts (JSONL, JSON, CSV, TSV). */
  line?: number;
  /** 1-based row number (Parquet; CSV data rows also carry it, header excluded). */
  row?: number;
  /** Path of the offending field, e.g. `messages[2].role`, or a CSV/Parquet column name. */
  field?: string;
}

/** The findings part of a report: the first N of each severity, and exact totals. */
export interface FindingSummary {
  errors: Finding[];
  errorCount: number;
  warnings: Finding[];
  warningCount: number;
  /** Total per code, over all findings (not only the kept ones). */
  countsByCode: Record<string, number>;
}

/** Random access to the object being analyzed. `read` returns at most `length` bytes. */
export interface RangedReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Where a record came from. */
export interface RecordLocation {
  /** 1-based physical line where the record starts (for Parquet: the row number). */
  line: number;
  /** 0-based index of the record among all records of the file. */
  index: number;
  /**
   * The record's source text when the parser has it at no cost (a JSONL line): lets visitors
   * such as the secret scan search the line once instead of each of its strings.
   */
  text?: string;
  /**
   * The record's source bytes (UTF-8, no line end) when the parser has them at no cost (a JSONL
   * line): lets the duplicate check hash them instead of serializing the record again.
   */
  bytes?: Uint8Array;
}

/** Collects findings; keeps the first `maxKept` of each severity and counts all. */
export interface FindingSink {
  report(finding: Finding): void;
}

/**
 * A consumer of the records of the single pass. Visitors must be cheap per record (the pass
 * runs at disk/network speed) and bounded in memory (sample, count, or keep top-N; never keep
 * every record).
 */
export interface RecordVisitor {
  /** Called for every well-formed record, in file order. */
  onRecord(record: unknown, at: RecordLocation): void;
  /** Called once after the last record. May report file-level findings (e.g. mixed families). */
  onEnd?(): void;
}

/** Turns a text dataset's bytes into records, pushed chunk by chunk. */
export interface DatasetParser {
  push(chunk: Uint8Array): void | Promise<void>;
  /** No more bytes: flush the last record, report truncation. Returns the record count. */
  end(): number | Promise<number>;
}

/** Options of the pass, all with defaults (see `analyze-file.ts`). */
export interface AnalysisOptions {
  /** How many errors and warnings the report keeps (the totals are always exact). @default 100 */
  maxFindings?: number;
  schema?: SchemaExpectation;
  /** Examples above this many tokens get a warning. @default 16385 */
  maxExampleTokens?: number;
  /** Largest JSON array document parsed (it must be parsed whole). @default 256 MiB */
  maxJsonDocumentBytes?: number;
  /** `reject` makes any PII in a dataset an error; `report` (default) only reports it. */
  piiPolicy?: 'report' | 'reject';
  /** `reject` makes any credential in a dataset an error; `report` (default) only reports it. */
  secretsPolicy?: 'report' | 'reject';
  /**
   * Threads the pass may use. 1 runs everything on the calling thread; 2 or more (on a machine
   * with that many cores) moves the PII and secret scanning and the sha256 of a JSONL dataset of
   * at least `parallelMinBytes` to a worker thread (`scan/scan-thread.ts`; more than 2 are not
   * used). The report is the same. Worth it with two cores to spare: the worker parses every line
   * a second time and adds about 40 MiB of peak memory.
   * @default 1
   */
  threads?: number;
  /** Smallest file given a worker thread: below it, starting one costs more than it saves. @default 32 MiB */
  parallelMinBytes?: number;
}

export interface FieldInfo {
  name: string;
  /** The type seen most, e.g. `string`, `number`, `integer`, `boolean`, `object`, `array`, `null`. */
  type: string;
  /** How many records had each type for this field. */
  types: Record<string, number>;
  /** Records in which the field was absent or null. */
  missing: number;
}

export interface NumberStats {
  min: number;
  mean: number;
  max: number;
  total: number;
}

export interface ChatStatistics {
  messagesPerExample: NumberStats;
  /** Token counts per example with the named encoding. */
  tokensPerExample: NumberStats & {
    encoding: string;
    /** Examples actually tokenized; when fewer than the record count, totals are extrapolated. */
    sampledExamples: number;
    estimated: boolean;
  };
  /** Tokens in assistant messages with weight != 0: what training is billed on, per epoch. */
  billableTrainingTokensPerEpoch: number;
  examplesOverTokenLimit: number;
}

export interface DatasetDescription {
  format: DatasetFormat;
  recordCount: number;
  /** Fields (JSON keys) or columns, in first-seen order, with inferred types. */
  fields: FieldInfo[];
  /** The family all records share, `mixed` when they do not, `custom:<name>` for a registered schema. */
  schemaFamily: SchemaFamily | 'mixed' | 'unknown' | `custom:${string}`;
  chat?: ChatStatistics;
  /** Classification: label -> count (top 100 labels, the rest summed under `labelsOther`). */
  labels?: Record<string, number>;
  labelsOther?: number;
}

export interface ArtifactDescription {
  format: 'safetensors' | 'gguf' | 'onnx' | 'pytorch' | 'keras' | 'pickle' | 'tflite' | 'unknown';
  framework?: string;
  parameterCount?: number;
  tensorCount?: number;
  dtypes?: Record<string, number>;
  /** Format-specific details (GGUF architecture, quantization, context length; ONNX IR version,
   * opset, producer; safetensors `__metadata__`; PyTorch zip entries ...). Small values only. */
  details: Record<string, unknown>;
}

export interface ArchiveDescription {
  format: 'zip' | 'tar' | 'gzip' | 'other';
  entryCount?: number;
  totalUncompressedBytes?: number;
  compressionRatio?: number;
  /** The first entries (name, size), at most 20. */
  sampleEntries?: { name: string; size: number }[];
}

/** What the scanners found; each part says plainly when it did not look. */
export interface ScanResults {
  /**
   * Malware scanning by ClamAV. The pass itself does not run it (`not_scanned`): the completion
   * workflow's `ScanForMalware` step does, and its result replaces this one in the stored report.
   */
  virus: VirusScan;
  /** PII in the records of a dataset (entity names as Presidio's); masked samples only. */
  pii?: DetectionSummary;
  /** Credentials in the records of a dataset (rule ids as gitleaks'); masked samples only. */
  secrets?: DetectionSummary;
  /** Imports of the pickles in a checkpoint or a bare pickle, checked against an allowlist. */
  pickle?: PickleScan;
}

/** The full report of the pass: stored in S3 next to the file; its summary travels in the workflow. */
export interface AnalysisReport {
  version: 1;
  size: number;
  sha256: string;
  fileType: 'dataset' | 'model_artifact' | 'archive' | 'other';
  detectedBy: string;
  /** False when any error finding was reported: the upload is rejected. */
  valid: boolean;
  findings: FindingSummary;
  dataset?: DatasetDescription;
  artifact?: ArtifactDescription;
  archive?: ArchiveDescription;
  scan: ScanResults;
}
