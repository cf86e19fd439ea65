/**
 * The analysis report as results carry it. A result is stored on the session item (DynamoDB
 * items are at most 400 KB) and answered by `complete` and `status`, so it carries a bounded
 * summary; the full report stays in S3 and the result names where.
 */
import type { AnalysisReport, Finding } from '../../analysis/types.js';
import type { Verification } from '../../workflow/contract.js';
import type { UploadSession } from '../model.js';
import type { ObjectStore } from '../ports.js';

/** Findings of each severity a result lists (the totals are exact, the report has more). */
export const resultFindingsShown = 20;
const resultFieldsShown = 100;
/** Larger artifact details are left to the report. */
const maxDetailsBytes = 16 * 1024;

export async function readReport(objects: ObjectStore, key: string): Promise<AnalysisReport | undefined> {
  const bytes = await objects.getBytes(key);
  return bytes === undefined
    ? undefined
    : (JSON.parse(Buffer.from(bytes).toString('utf8')) as AnalysisReport);
}

/** A finding as results list it: `{line, row, field, code, message}` without empty keys. */
const listed = ({ severity: _severity, ...finding }: Finding) => finding;

export const resultErrors = (report: AnalysisReport | undefined) =>
  (report?.findings.errors ?? []).slice(0, resultFindingsShown).map(listed);

export const resultWarnings = (report: AnalysisReport | undefined) =>
  (report?.findings.warnings ?? []).slice(0, resultFindingsShown).map(listed);

/** The `metadata` every result of an assembled file starts with: the contract's fields and the report's description. */
export function fileMetadata(
  session: UploadSession,
  verification: Verification,
  now: number,
  report: AnalysisReport | undefined,
): Record<string, unknown> {
  return {
    uploadId: session.uploadId,
    filename: session.filename,
    originalFilename: session.originalFilename,
    size: verification.size,
    checksum: verification.sha256,
    timestamp: new Date(now).toISOString(),
    fileType: verification.fileType,
    detectedBy: verification.detectedBy,
    totalChunks: session.totalChunks,
    chunkSize: session.chunkSize,
    ...describedContent(report),
  };
}

/** What a result's `metadata` gains from the report: the dataset, artifact or archive description. */
export function describedContent(report: AnalysisReport | undefined): Record<string, unknown> {
  if (!report) return {};
  const content: Record<string, unknown> = {};
  if (report.dataset) {
    const { fields, ...dataset } = report.dataset;
    content.dataset = {
      ...dataset,
      fields: fields.slice(0, resultFieldsShown),
      ...(fields.length > resultFieldsShown ? { fieldsOmitted: fields.length - resultFieldsShown } : {}),
    };
    content.recordCount = report.dataset.recordCount;
    content.schemaFamily = report.dataset.schemaFamily;
  }
  if (report.artifact) {
    const tooLarge = JSON.stringify(report.artifact.details).length > maxDetailsBytes;
    content.artifact = tooLarge
      ? { ...report.artifact, details: { omitted: 'too large; see the report' } }
      : report.artifact;
  }
  if (report.archive) content.archive = report.archive;
  // PII and secrets carry masked samples only (bounded to 50); pickles are summarized, since a
  // checkpoint may hold many pickles with many imports (the report lists them all).
  if (report.scan) {
    const { pickle, ...scan } = report.scan;
    content.scan = {
      ...scan,
      ...(pickle
        ? {
            pickle: {
              status: pickle.status,
              pickleCount: pickle.pickles.length,
              unsafeGlobals: pickle.unsafeGlobals.slice(0, 20),
              unsafeGlobalCount: pickle.unsafeGlobals.length,
              ...(pickle.reason ? { reason: pickle.reason.slice(0, 1000) } : {}),
            },
          }
        : {}),
    };
  }
  return content;
}
