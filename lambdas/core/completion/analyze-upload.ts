/**
 * `AnalyzeFile`: the one streaming pass over the assembled staging object (see
 * `lambdas/analysis/analyze-file.ts`): size, sha256, format, dataset and schema validation and
 * statistics, or the header description of a model artifact or archive. The full report is
 * written next to the staging file; the workflow state only carries the verdict and totals.
 *
 * The file may be published only if its size is the one init declared, its sha256 is init's
 * checksum (when one was declared) and the analysis found no error. A failed check is a verdict
 * (`ok: false`), not an error: the workflow records a rejection instead of a failure.
 */
import { analyzeFile } from '../../analysis/analyze-file.js';
import { CLAMAV_MAX_SCANNABLE_BYTES, type VirusScan } from '../../analysis/scan/virus-types.js';
import type { AnalysisReport, SchemaExpectation, SchemaFamily } from '../../analysis/types.js';
import type { Verification } from '../../workflow/contract.js';
import { keys, s3Uri } from '../keys.js';
import type { UploadSession } from '../model.js';
import { customSchemaName, getSchema } from '../schema-registry.js';
import {
  type CompletionDeps,
  type CompletionSettings,
  requireProcessingSession,
  taskLogger,
} from './completion-deps.js';
import { sampleWithComprehend } from './comprehend-sample.js';
import { objectRangedReader } from './object-reader.js';
import type { ScannedState } from './workflow-states.js';

/** How many threats the verdict names (the report has all of them). */
const maxThreatsShown = 20;

/** How many findings the stored report keeps of each severity (totals are exact). */
const reportFindingsKept = 100;

/**
 * What init asked the records to follow. A registered schema is loaded from the registry: init
 * checked it exists and registrations are immutable and never deleted, so a missing one is a
 * fault (`SchemaNotFoundError`, the workflow records a failure), not a verdict.
 */
async function expectationOf(deps: CompletionDeps, session: UploadSession): Promise<SchemaExpectation> {
  const custom = customSchemaName(session.schema);
  if (custom !== undefined) {
    const { name, schema } = await getSchema(deps, custom);
    return { kind: 'custom', name, jsonSchema: schema };
  }
  return session.schema && session.schema !== 'auto'
    ? { kind: 'family', family: session.schema as SchemaFamily }
    : { kind: 'auto' };
}

/** Why a file may not be published, or `undefined` when it may. Size and checksum come first. */
function rejection(
  session: UploadSession,
  report: AnalysisReport,
  reportPath: string,
): Pick<Verification, 'code' | 'reason'> | undefined {
  if (report.size !== session.totalSize) {
    return {
      code: 'SIZE_MISMATCH',
      reason: `The assembled file has ${report.size} bytes but init declared totalSize ${session.totalSize}; nothing was published. Re-upload the file.`,
    };
  }
  const expected = session.checksum?.toLowerCase();
  if (expected !== undefined && expected !== report.sha256) {
    return {
      code: 'CHECKSUM_MISMATCH',
      reason: `The file's sha256 is ${report.sha256} but init declared checksum ${expected}; nothing was published. Re-upload the file or fix the checksum.`,
    };
  }
  const { errorCount, errors } = report.findings;
  if (errorCount > 0) {
    const first = errors[0];
    const location = [
      first?.line !== undefined
        ? `line ${first.line}`
        : first?.row !== undefined
          ? `row ${first.row}`
          : undefined,
      first?.field ? `field ${first.field}` : undefined,
    ].filter((part) => part !== undefined);
    const described = `${location.length > 0 ? `${location.join(' ')}: ` : ''}${first?.code}: ${first?.message ?? ''}`;
    return {
      code: report.fileType === 'dataset' ? 'DATASET_INVALID' : 'FILE_INVALID',
      reason: `${session.filename} has ${errorCount} error${errorCount === 1 ? '' : 's'}; the first: ${described.replace(/[.\s]*$/, '.')} Nothing was published; fix the file and upload it again. The full report is at ${reportPath}.`,
    };
  }
  return undefined;
}

type UnscannedPolicy = NonNullable<CompletionSettings['unscannablePolicy']>;

/** Sorts what could not be looked at by its policy: quarantined, rejected, or only reported. */
function byPolicy(policy: UnscannedPolicy, unscanned: string[], threats: string[], rejections: string[]) {
  if (policy === 'quarantine') threats.push(...unscanned);
  else if (policy === 'reject') rejections.push(...unscanned);
}

/**
 * What makes a file dangerous: malware ClamAV found, a pickle importing a global outside the
 * allowlist - and, under the default `quarantine` policies, a file the malware scanner or the
 * pickle scanner could not fully look at (fail closed: what was not looked at is never safe).
 */
function dangersOf(report: AnalysisReport, virus: VirusScan, settings: CompletionSettings) {
  const threats: string[] = [];
  const rejections: string[] = [];
  for (const name of virus.status === 'infected' ? virus.threats : []) threats.push(`malware ${name}`);
  if (virus.status === 'not_scanned' || virus.status === 'error') {
    byPolicy(
      virus.decision ?? 'quarantine',
      [`not scanned for malware (${virus.status}): ${virus.reason ?? 'no reason given'}`],
      threats,
      rejections,
    );
  }
  const pickle = report.scan.pickle;
  const unscanned: string[] = [];
  for (const scanned of pickle?.pickles ?? []) {
    for (const global of scanned.unsafeGlobals)
      threats.push(`unsafe pickle global ${global} in ${scanned.name}`);
    if (scanned.error) unscanned.push(`pickle ${scanned.name} could not be fully scanned: ${scanned.error}`);
  }
  if (pickle && pickle.status !== 'safe' && pickle.status !== 'unsafe' && unscanned.length === 0) {
    unscanned.push(`its pickles could not be fully scanned: ${pickle.reason ?? pickle.status}`);
  }
  byPolicy(settings.unscannablePolicy ?? 'quarantine', unscanned, threats, rejections);
  return { threats, unscannedRejection: threats.length === 0 ? rejections : [] };
}

/**
 * The malware verdict of `ScanForMalware`, with the policy's decision when it did not look. A
 * clean verdict does not cover an archive that expands past ClamAV's per-file ceiling: ClamAV
 * skips such a member without a word, even with AlertExceedsMax (Cisco-Talos/clamav#633).
 */
export function virusVerdict(
  malware: VirusScan | undefined,
  report: Pick<AnalysisReport, 'archive'>,
  settings: CompletionSettings,
): VirusScan {
  const expanded = report.archive?.totalUncompressedBytes ?? 0;
  const virus: VirusScan =
    malware === undefined
      ? {
          status: 'not_scanned',
          engine: null,
          signatures: null,
          threats: [],
          reason: 'This execution started before the ScanForMalware step existed.',
        }
      : malware.status === 'clean' && expanded > CLAMAV_MAX_SCANNABLE_BYTES
        ? {
            ...malware,
            status: 'not_scanned',
            reason: `The archive expands to ${expanded} bytes; ClamAV skips members past ${CLAMAV_MAX_SCANNABLE_BYTES} bytes without saying so, so its clean verdict does not cover them.`,
          }
        : malware;
  return virus.status === 'not_scanned' || virus.status === 'error'
    ? { ...virus, decision: settings.malwareUnscannedPolicy ?? 'quarantine' }
    : virus;
}

export async function analyzeUpload(deps: CompletionDeps, state: ScannedState): Promise<Verification> {
  const { uploadId, assembled } = state;
  const log = taskLogger(deps, 'AnalyzeFile', uploadId);
  const session = await requireProcessingSession(deps, uploadId);
  const schema = await expectationOf(deps, session);
  const reader = objectRangedReader(deps.objects, assembled.stagingKey, assembled.size);
  const report = await analyzeFile({
    stream: await deps.objects.getStream(assembled.stagingKey),
    reader,
    filename: session.filename,
    options: {
      schema,
      maxFindings: reportFindingsKept,
      piiPolicy: deps.config.piiPolicy,
      secretsPolicy: deps.config.secretsPolicy,
    },
  });
  const virus = virusVerdict(state.malware, report, deps.config);
  report.scan.virus = virus;
  if (deps.piiEntityDetector && report.fileType === 'dataset') {
    const comprehend = await sampleWithComprehend(reader, deps.piiEntityDetector);
    report.scan.pii = { ...(report.scan.pii ?? { counts: {}, samples: [], total: 0 }), comprehend };
  }
  const reportKey = keys.stagingReport(uploadId);
  await deps.objects.put(reportKey, JSON.stringify(report), 'application/json');
  const checked = rejection(session, report, s3Uri(deps.objects.bucket, reportKey));
  const { threats, unscannedRejection } = dangersOf(report, virus, deps.config);
  // Not the declared file at all (size, checksum): a rejection. Else a danger: quarantine.
  const notDeclared = checked?.code === 'SIZE_MISMATCH' || checked?.code === 'CHECKSUM_MISMATCH';
  const quarantined = !notDeclared && threats.length > 0;
  // The verdict travels in the Step Functions state (256 KiB, a limit no Catch can handle):
  // threats and reasons are bounded here; the report lists everything.
  const shownThreats = threats.slice(0, maxThreatsShown).map((threat) => threat.slice(0, 300));
  const moreThreats = threats.length > maxThreatsShown ? ` and ${threats.length - maxThreatsShown} more` : '';
  const rejected = quarantined
    ? {
        code: 'QUARANTINED',
        reason: `${session.filename} is dangerous: ${shownThreats.join('; ')}${moreThreats}.`,
      }
    : !notDeclared && unscannedRejection.length > 0
      ? {
          code: 'NOT_SCANNED',
          reason: `${session.filename} was not published: ${unscannedRejection.join('; ')} (MALWARE_UNSCANNED_POLICY or UNSCANNABLE_POLICY is reject).`,
        }
      : checked;
  const verification: Verification = {
    ok: rejected === undefined,
    size: report.size,
    sha256: report.sha256,
    fileType: report.fileType,
    detectedBy: report.detectedBy,
    reportKey,
    errorCount: report.findings.errorCount,
    warningCount: report.findings.warningCount,
    quarantined,
    ...(quarantined ? { threats: shownThreats } : {}),
    ...(rejected ? { ...rejected, reason: rejected.reason?.slice(0, 2000) } : {}),
  };
  const summary = {
    size: report.size,
    sha256: report.sha256,
    fileType: report.fileType,
    errors: report.findings.errorCount,
  };
  if (rejected) log.warn('file rejected', { code: rejected.code, ...summary });
  else
    log.info('file analyzed', {
      detectedBy: report.detectedBy,
      warnings: report.findings.warningCount,
      ...summary,
    });
  return verification;
}
