/**
 * The analysis hooks under the original service's names, for teams to call, test and extend
 * in their own code: no AWS imports, plain byte streams and ranged readers in, plain data out.
 *
 * The completion workflow runs all of them at once in one streaming pass (`analyzeFile`);
 * each hook here runs that same pass and returns its part, so calling several hooks reads the
 * bytes several times - call `analyzeFile` when you want them all.
 *
 * `notifyFineTuningPipeline` and `notifyDataCurationSystem` start a fine-tuning job and deliver
 * the data-curation webhook through the ports they are given (re-exported from
 * `lambdas/core/downstream/`). `scanFile` scans for PII, secrets and unsafe pickles, and for
 * malware with the scanner it is given (ClamAV: `lambdas/adapters/clamav/`).
 */
import { Readable } from 'node:stream';
import { type AnalyzeFileInput, analyzeFile } from './analyze-file.js';
import { FindingCollector } from './findings.js';
import type { MalwareScanner } from './scan/virus-types.js';
import { createSchemaVisitor } from './schema/schema-visitor.js';
import type {
  AnalysisReport,
  ArchiveDescription,
  ArtifactDescription,
  DatasetDescription,
  FindingSummary,
  RangedReader,
  ScanResults,
  SchemaExpectation,
} from './types.js';

export type { AnalyzeFileInput } from './analyze-file.js';
export { analyzeFile } from './analyze-file.js';
export type { MalwareScanner, VirusScan } from './scan/virus-types.js';
export type * from './types.js';

export interface DatasetValidation {
  valid: boolean;
  format?: DatasetDescription['format'];
  recordCount: number;
  findings: FindingSummary;
}

/** Validates a dataset's format and records (JSONL, JSON, CSV, TSV, Parquet) with located findings. */
export async function validateDataset(input: AnalyzeFileInput): Promise<DatasetValidation> {
  const report = await analyzeFile(input);
  return {
    valid: report.valid,
    format: report.dataset?.format,
    recordCount: report.dataset?.recordCount ?? 0,
    findings: report.findings,
  };
}

export interface SchemaValidation {
  valid: boolean;
  family: DatasetDescription['schemaFamily'];
  findings: FindingSummary;
}

/**
 * Checks already-parsed records against a fine-tuning schema family (`auto` detects each
 * record's family and refuses a mix), or against a team's own JSON Schema
 * (`{kind: 'custom', name, jsonSchema}`, the document `GET /api/schemas/{name}` answers as
 * `schema`; violations are `SCHEMA_VIOLATION`). Record `i` is reported as line `i + 1`.
 */
export async function validateSchema(
  records: Iterable<unknown> | AsyncIterable<unknown>,
  expectation: SchemaExpectation = { kind: 'auto' },
  maxFindings = 100,
): Promise<SchemaValidation> {
  const findings = new FindingCollector(maxFindings);
  const visitor = createSchemaVisitor(expectation, findings);
  let index = 0;
  for await (const record of records) {
    visitor.onRecord(record, { line: index + 1, index });
    index++;
  }
  visitor.onEnd?.();
  const summary = findings.summary();
  return { valid: summary.errorCount === 0, family: visitor.family(), findings: summary };
}

export interface FileMetadata {
  size: number;
  sha256: string;
  fileType: AnalysisReport['fileType'];
  detectedBy: string;
  dataset?: DatasetDescription;
  artifact?: ArtifactDescription;
  archive?: ArchiveDescription;
}

/** Describes a file: size, sha256, type, and its dataset statistics or artifact/archive headers. */
export async function generateMetadata(input: AnalyzeFileInput): Promise<FileMetadata> {
  const { size, sha256, fileType, detectedBy, dataset, artifact, archive } = await analyzeFile(input);
  return { size, sha256, fileType, detectedBy, dataset, artifact, archive };
}

/** Reads a whole file through its ranged reader, 1 MiB at a time, as a stream. */
function streamOf(reader: RangedReader): Readable {
  const step = 1024 * 1024;
  return Readable.from(
    (async function* () {
      for (let offset = 0; offset < reader.size; offset += step) {
        yield Buffer.from(await reader.read(offset, Math.min(step, reader.size - offset)));
      }
    })(),
  );
}

/**
 * Scans a file: PII and credentials in a dataset's records (masked), the imports of its pickles
 * and, given a `malwareScanner` (e.g. `new ClamdScanner(...)`), malware - read a second time
 * through `input.reader`. Without one, `virus.status` is `not_scanned`, never clean.
 */
export async function scanFile(
  input: AnalyzeFileInput,
  options: { malwareScanner?: MalwareScanner } = {},
): Promise<ScanResults> {
  const [{ scan }, virus] = await Promise.all([
    analyzeFile(input),
    options.malwareScanner?.scan(streamOf(input.reader), input.reader.size),
  ]);
  return virus === undefined ? scan : { ...scan, virus };
}

/**
 * The downstream hooks, filled by the downstream work (`lambdas/core/downstream/`): each takes
 * its port - a `FineTuningLauncher` (SQS, Bedrock, a local queue file) or a `CurationNotifier`
 * (the signed webhook) - and the request, and answers the job id or the curation system's id.
 */
export {
  notifyDataCurationSystem,
  notifyFineTuningPipeline,
} from '../core/downstream/notify-downstream.js';
export type {
  CurationDelivery,
  CurationNotifier,
  FineTuningJobRequest,
  FineTuningLauncher,
} from '../core/downstream/ports.js';
