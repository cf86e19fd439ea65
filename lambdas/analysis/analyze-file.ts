/**
 * The single streaming pass over an uploaded file (see `types.ts` for its shape). The bytes are
 * read once, in order, in bounded memory: every chunk goes to sha256 and, for a text dataset,
 * to its parser, which hands records to the visitors. Binary formats (Parquet, model artifacts,
 * archives) are described at the same time from their headers and directories through ranged
 * reads. Nothing here keeps a whole file or a list of all records.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { detectFileType, extensionOf } from '../core/file-type.js';
import { describeBinary } from './binary/describe-binary.js';
import { FindingCollector } from './findings.js';
import { createDatasetParser } from './formats/dataset-parser.js';
import { detectFormat, type TextFormatDetection } from './formats/detect-format.js';
import { createChatStatisticsVisitor } from './metadata/chat-statistics.js';
import { createFieldTypesVisitor } from './metadata/field-types.js';
import { createLabelsVisitor } from './metadata/labels.js';
import { scanPickles } from './scan/pickle/scan-pickles.js';
import { createRecordScanner } from './scan/record-scanner.js';
import { ScanThread, type ScanThreadResult } from './scan/scan-thread.js';
import type { DetectionSummary } from './scan/scan-types.js';
import { createSchemaVisitor } from './schema/schema-visitor.js';
import type { AnalysisOptions, AnalysisReport, DatasetDescription, RangedReader } from './types.js';

/** How many leading bytes decide the format (a JSONL line or a CSV header fits; tar's magic too). */
export const analysisHeadBytes = 64 * 1024;

export interface AnalyzeFileInput {
  /** The file's bytes, in order, read once. */
  stream: AsyncIterable<Uint8Array | string>;
  /** Random access to the same file, for headers, footers and directories. */
  reader: RangedReader;
  /** The (sanitized) filename: its extension is one input of format detection. */
  filename: string;
  options?: AnalysisOptions;
}

/** Below this size a JSONL dataset is scanned on the calling thread (see `AnalysisOptions`). */
export const defaultParallelMinBytes = 32 * 1024 * 1024;

/**
 * Whether the pass moves scanning and hashing of this dataset to a worker thread. Only when asked
 * to: on the 2-core benchmark machine, shared with other work, the second thread did not pay for
 * its second `JSON.parse` of every line (see docs/benchmarks.md).
 */
function usesScanThread(format: string, size: number, options: AnalysisOptions): boolean {
  const threads = Math.min(options.threads ?? 1, availableParallelism());
  return format === 'jsonl' && threads >= 2 && size >= (options.parallelMinBytes ?? defaultParallelMinBytes);
}

/** Extensions that promise a structured dataset: such a file that is none is an error. */
const structuredDatasetExtensions = new Set(['jsonl', 'ndjson', 'json', 'csv', 'tsv', 'parquet']);
/** Extensions whose content is parsed as a text dataset (the content still decides which format). */
const textDatasetExtensions = new Set(['jsonl', 'ndjson', 'json', 'csv', 'tsv', 'tab']);

/** Collects the first `analysisHeadBytes` bytes while the stream is read. */
class Head {
  private readonly buffer = Buffer.alloc(analysisHeadBytes);
  length = 0;
  add(bytes: Uint8Array): void {
    if (this.length >= this.buffer.length) return;
    const take = Math.min(bytes.length, this.buffer.length - this.length);
    this.buffer.set(bytes.subarray(0, take), this.length);
    this.length += take;
  }
  get full(): boolean {
    return this.length >= this.buffer.length;
  }
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * The pass does not scan for malware: the workflow's `ScanForMalware` step does (ClamAV), and
 * its result replaces this one in the stored report. Called on its own, the pass says so.
 */
const virusNotScanned: AnalysisReport['scan']['virus'] = {
  status: 'not_scanned',
  engine: null,
  signatures: null,
  threats: [],
  reason:
    'The analysis pass does not scan for malware; the completion workflow runs ClamAV in its ScanForMalware step.',
};

/** Under a `reject` policy, detected PII or credentials are one error naming the types found. */
function applyPolicy(
  findings: FindingCollector,
  policy: 'report' | 'reject' | undefined,
  summary: DetectionSummary,
  what: { code: string; label: string; setting: string },
): void {
  if (policy !== 'reject' || summary.total === 0) return;
  const types = Object.entries(summary.counts)
    .map(([type, count]) => `${type}: ${count}`)
    .join(', ');
  const first = summary.samples[0];
  findings.report({
    severity: 'error',
    code: what.code,
    ...(first ? { line: first.line, ...(first.field ? { field: first.field } : {}) } : {}),
    message: `The dataset contains ${what.label} (${types}; masked samples in the report) and ${what.setting} is reject; remove them and upload again.`,
  });
}

/** Parquet rows that could not be read were not scanned: fail closed under a reject policy. */
function notScannedRows(
  findings: FindingCollector,
  options: AnalysisOptions,
  scanned: Pick<AnalysisReport['scan'], 'pii' | 'secrets'>,
): Pick<AnalysisReport['scan'], 'pii' | 'secrets'> {
  const reason = 'the Parquet rows were not read (see PARQUET_ROWS_NOT_CHECKED), so they were not scanned';
  if (options.piiPolicy === 'reject' || options.secretsPolicy === 'reject') {
    findings.report({
      severity: 'error',
      code: 'NOT_SCANNED',
      message: `The dataset could not be scanned for PII and credentials: ${reason}. With a reject policy nothing unscanned is published; convert it to JSONL, or to Parquet under 512 MiB with Snappy, gzip or Brotli compression.`,
    });
  }
  const mark = (summary: DetectionSummary | undefined) =>
    summary ? { ...summary, status: 'not_scanned' as const, reason } : summary;
  return { pii: mark(scanned.pii), secrets: mark(scanned.secrets) };
}

/**
 * The record visitors every dataset gets: schema checks, statistics, labels, PII and secrets
 * (the last two left out when a scan thread scans the records instead; they report no findings
 * while records stream, so the findings come in the same order either way).
 */
function recordVisitors(findings: FindingCollector, options: AnalysisOptions, scanHere = true) {
  const schema = createSchemaVisitor(options.schema ?? { kind: 'auto' }, findings, options);
  const chat = createChatStatisticsVisitor(findings, { maxExampleTokens: options.maxExampleTokens });
  const labels = createLabelsVisitor();
  const scanner = createRecordScanner();
  return {
    list: scanHere ? [schema, chat, labels, scanner] : [schema, chat, labels],
    /** What the scanners found, after the policies turned it into errors where asked to. */
    scan(
      scanned: Pick<ScanThreadResult, 'pii' | 'secrets'> | undefined,
    ): Pick<AnalysisReport['scan'], 'pii' | 'secrets'> {
      const piiSummary = scanned?.pii ?? scanner.pii();
      const secretsSummary = scanned?.secrets ?? scanner.secrets();
      applyPolicy(findings, options.piiPolicy, piiSummary, {
        code: 'PII_FOUND',
        label: 'personal data',
        setting: 'PII_POLICY',
      });
      applyPolicy(findings, options.secretsPolicy, secretsSummary, {
        code: 'SECRETS_FOUND',
        label: 'credentials',
        setting: 'SECRETS_POLICY',
      });
      return { pii: piiSummary, secrets: secretsSummary };
    },
    /** What the visitors add to a dataset description. */
    describe(): Pick<DatasetDescription, 'schemaFamily' | 'chat' | 'labels' | 'labelsOther'> {
      const chatStatistics = chat.statistics();
      const labelCounts = labels.labels();
      return {
        schemaFamily: schema.family(),
        ...(chatStatistics ? { chat: chatStatistics } : {}),
        ...(labelCounts ? { labels: labelCounts.labels, labelsOther: labelCounts.labelsOther } : {}),
      };
    },
  };
}

function textPipeline(
  detection: TextFormatDetection,
  findings: FindingCollector,
  options: AnalysisOptions,
  scanHere: boolean,
) {
  const visitors = recordVisitors(findings, options, scanHere);
  const fieldTypes = createFieldTypesVisitor({
    fromText: detection.format === 'csv' || detection.format === 'tsv',
  });
  const parser = createDatasetParser(detection.format, {
    visitors: [...visitors.list, fieldTypes],
    findings,
    options,
  });
  return {
    parser,
    visitors,
    describe(recordCount: number): DatasetDescription {
      return { format: detection.format, recordCount, fields: fieldTypes.fields(), ...visitors.describe() };
    },
  };
}

/** Runs the pass and returns the full report (the caller stores it and decides the outcome). */
export async function analyzeFile(input: AnalyzeFileInput): Promise<AnalysisReport> {
  const options = input.options ?? {};
  const findings = new FindingCollector(options.maxFindings ?? 100);
  // The bytes are hashed once the format is decided: here, or on the scan thread with its scan.
  const hash = createHash('sha256');
  let thread: ScanThread | undefined;
  const head = new Head();
  const pending: Uint8Array[] = [];
  let size = 0;
  let decided = false;
  let text: ReturnType<typeof textPipeline> | undefined;
  let binary: ReturnType<typeof describeBinary> | undefined;
  let rowVisitors: ReturnType<typeof recordVisitors> | undefined;
  let pickles: ReturnType<typeof scanPickles> | undefined;
  let detected = { fileType: 'other', detectedBy: 'unknown' } as ReturnType<typeof detectFileType>;

  const decide = () => {
    decided = true;
    detected = detectFileType(input.filename, head.bytes());
    // Content decides the format of a dataset; a file named as something else (`events.log`,
    // `notes.txt`) is not held to dataset rules even if its lines happen to be JSON.
    const extension = extensionOf(input.filename);
    const mayBeTextDataset = extension === undefined || textDatasetExtensions.has(extension);
    const textFormat =
      detected.format === 'parquet' || !mayBeTextDataset
        ? undefined
        : detectFormat(input.filename, head.bytes());
    if (textFormat) {
      for (const finding of textFormat.findings) findings.report(finding);
      if (usesScanThread(textFormat.format, input.reader.size, options)) thread = ScanThread.start(options);
      text = textPipeline(textFormat, findings, options, thread === undefined);
      detected = { fileType: 'dataset', detectedBy: textFormat.detectedBy, format: textFormat.format };
    } else {
      // Ranged reads run alongside the stream; their result is awaited after the last byte.
      // Parquet rows (when the file is small enough to read them) get the dataset visitors too.
      rowVisitors = detected.format === 'parquet' ? recordVisitors(findings, options) : undefined;
      binary = describeBinary({
        reader: input.reader,
        filename: input.filename,
        head: head.bytes(),
        findings,
        ...(rowVisitors ? { visitors: rowVisitors.list } : {}),
      });
      // Pickles (bare, or inside a checkpoint's zip) are walked for their imports, never run.
      pickles = scanPickles({ reader: input.reader, filename: input.filename, head: head.bytes() });
      // Handled when awaited after the stream; until then a failure must not count as unhandled.
      binary.catch(() => undefined);
      pickles.catch(() => undefined);
    }
  };

  // After the decision, every byte goes to the hash (or the scan thread), then to the parser.
  const take = async (bytes: Uint8Array) => {
    if (thread) await thread.push(bytes);
    else hash.update(bytes);
    await text?.parser.push(bytes);
  };

  let recordCount = 0;
  let scanned: ScanThreadResult | undefined;
  try {
    for await (const piece of input.stream) {
      const bytes: Uint8Array = typeof piece === 'string' ? Buffer.from(piece) : piece;
      size += bytes.length;
      if (!decided) {
        head.add(bytes);
        pending.push(bytes);
        if (!head.full) continue;
        decide();
        for (const held of pending.splice(0)) await take(held);
        continue;
      }
      await take(bytes);
    }
    if (!decided) {
      decide();
      for (const held of pending.splice(0)) await take(held);
    }
    recordCount = text ? await text.parser.end() : 0;
    scanned = await thread?.finish();
  } catch (error) {
    await thread?.stop();
    throw error;
  }
  // A failed ranged read (storage, not the file) throws: the task fails and is retried, never a rejection.
  const described = binary ? await binary : undefined;
  const pickleScan = pickles ? await pickles : undefined;
  if (described?.dataset && rowVisitors) Object.assign(described.dataset, rowVisitors.describe());
  const dataset = text ? text.describe(recordCount) : described?.dataset;
  // After the last record: a `reject` policy turns what the scanners found into an error.
  let scannedRecords = (text?.visitors ?? rowVisitors)?.scan(scanned);
  if (rowVisitors && scannedRecords && findings.summary().countsByCode.PARQUET_ROWS_NOT_CHECKED) {
    // The rows were never read: say so, never "nothing found"; under a reject policy, refuse.
    scannedRecords = notScannedRows(findings, options, scannedRecords);
  }
  const extension = extensionOf(input.filename);
  if (!text && !described?.dataset && extension && structuredDatasetExtensions.has(extension)) {
    findings.report({
      severity: 'error',
      code: 'UNREADABLE_DATASET',
      line: 1,
      message: `${input.filename} has a .${extension} extension but is not a ${extension.toUpperCase()} dataset (${detected.detectedBy}); upload the dataset itself, as UTF-8 text${extension === 'parquet' ? ' or Parquet' : ''}.`,
    });
  }
  const summary = findings.summary();
  return {
    version: 1,
    size,
    sha256: scanned?.sha256 ?? hash.digest('hex'),
    fileType: described?.artifact ? 'model_artifact' : described?.archive ? 'archive' : detected.fileType,
    detectedBy: detected.detectedBy,
    valid: summary.errorCount === 0,
    findings: summary,
    ...(dataset ? { dataset } : {}),
    ...(described?.artifact ? { artifact: described.artifact } : {}),
    ...(described?.archive ? { archive: described.archive } : {}),
    scan: { virus: virusNotScanned, ...scannedRecords, ...(pickleScan ? { pickle: pickleScan } : {}) },
  };
}
