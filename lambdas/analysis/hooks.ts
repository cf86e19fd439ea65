/**
 * The analysis hooks under the original service's names, for teams to call, test and extend
 * in their own code: no AWS imports, plain byte streams and ranged readers in, plain data out.
 *
 * The completion workflow runs all of them at once in one streaming pass (`analyzeFile`);
 * each hook here runs that same pass and returns its part, so calling several hooks reads the
 * bytes several times - call `analyzeFile` when you want them all.
 *
 * `notifyFineTuningPipeline` and `notifyDataCurationSystem` are the places later work fills
 * (downstream notifications): today they say plainly that they are not implemented; they never
 * pretend a job was started. `scanFile` scans for PII, secrets and unsafe pickles; its malware
 * part says `not_scanned` until ClamAV scanning exists.
 */
import { type AnalyzeFileInput, analyzeFile } from './analyze-file.js';
import { FindingCollector } from './findings.js';
import { createSchemaVisitor } from './schema/schema-visitor.js';
import type {
  AnalysisReport,
  ArchiveDescription,
  ArtifactDescription,
  DatasetDescription,
  FindingSummary,
  ScanResults,
  SchemaExpectation,
} from './types.js';

export type { AnalyzeFileInput } from './analyze-file.js';
export { analyzeFile } from './analyze-file.js';
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

/** The answer of a hook whose feature does not exist yet. */
export interface NotImplemented {
  status: 'not_implemented';
  message: string;
}

/**
 * Scans a file: PII and credentials in a dataset's records (masked), and the imports of its
 * pickles. Malware scanning is not implemented yet: `virus.status` is always `not_scanned`,
 * never clean.
 */
export async function scanFile(input: AnalyzeFileInput): Promise<ScanResults> {
  return (await analyzeFile(input)).scan;
}

/** Starting a fine-tuning job for a completed dataset: not implemented yet. */
export async function notifyFineTuningPipeline(_report: AnalysisReport): Promise<NotImplemented> {
  return {
    status: 'not_implemented',
    message: 'Downstream notifications are not implemented yet; no fine-tuning job was started.',
  };
}

/** Notifying a data-curation system of a completed upload: not implemented yet. */
export async function notifyDataCurationSystem(_report: AnalysisReport): Promise<NotImplemented> {
  return {
    status: 'not_implemented',
    message: 'Downstream notifications are not implemented yet; no data-curation system was notified.',
  };
}
