/**
 * The completion workflow's Task states: the one table both the CDK state machine
 * (`lib/completion-workflow.ts`) and the local runner (`bin/local/workflow-runner.ts`) use. Keys
 * are the Step Functions state names (aws-local-stepfunctions maps overrides by state name);
 * each entry's module exports `handler`, the same function Lambda runs.
 *
 * State data flows as (JSONPath, see `contract.ts` for the shapes):
 *   {uploadId}
 *   -> PlanAssembly            ResultPath $.plan
 *   -> AssembleParts (Map over $.plan.batches, MaxConcurrency 8, ResultPath null)
 *        AssembleBatch         input {uploadId, multipartUploadId, stagingKey, batch}
 *   -> FinishAssembly          ResultPath $.assembled
 *   -> ScanForMalware          ResultPath $.malware (ClamAV; its own container-image function on AWS)
 *   -> AnalyzeFile             ResultPath $.verification
 *   -> IsVerified (Choice on $.verification.ok)
 *        true  -> PublishFile  ResultPath $.published
 *                 -> NotifyDownstream ResultPath $.notified (its Catch: ResultPath $.notifyError)
 *                 -> RecordCompletion (end)
 *        quarantined -> QuarantineFile (end)
 *        otherwise -> RecordRejection (end)
 *   any task error (Catch States.ALL, ResultPath $.error) -> RecordFailure -> CompletionFailed (Fail)
 *   (but NotifyDownstream's: the file is published, so the upload still completes)
 *
 * The four tasks that record an outcome publish its event (`publishesEvents`); NotifyDownstream
 * reaches the fine-tuning and data-curation targets (`notifiesDownstream`). `lib/downstream.ts`
 * grants each exactly that.
 */
import type { BucketAccess } from '../routes.js';

export interface WorkflowTaskDefinition {
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly description: string;
  readonly access: { table: 'read' | 'readWrite'; bucket: BucketAccess };
  /**
   * `clamav`: on AWS the function runs from the ClamAV container image (`docker/clamav`)
   * instead of the Node.js runtime; locally it runs in-process like every task.
   */
  readonly image?: 'clamav';
  /** Publishes events on the stack's bus (`events:PutEvents` on that bus only). */
  readonly publishesEvents?: boolean;
  /** Starts fine-tuning jobs and delivers the curation webhook (and reads its secret). */
  readonly notifiesDownstream?: boolean;
}

export const workflowTasks = {
  PlanAssembly: {
    entry: 'lambdas/workflow/plan-assembly.ts',
    timeoutSeconds: 60,
    memoryMiB: 512,
    description: 'Checks every chunk is stored, starts the S3 multipart upload and plans part batches.',
    // CreateMultipartUpload of the staging object is authorized as s3:PutObject.
    access: { table: 'read', bucket: { put: ['staging/*'] } },
  },
  AssembleBatch: {
    entry: 'lambdas/workflow/assemble-batch.ts',
    timeoutSeconds: 900,
    memoryMiB: 1024,
    description: 'Concatenates consecutive chunks into S3 parts (>= 5 MiB) for one batch of parts.',
    // Reads chunks; UploadPart of the staging object and its part manifest are s3:PutObject.
    access: { table: 'read', bucket: { read: ['uploads/*'], put: ['staging/*'] } },
  },
  FinishAssembly: {
    entry: 'lambdas/workflow/finish-assembly.ts',
    timeoutSeconds: 120,
    memoryMiB: 512,
    description: 'Completes the multipart upload from the batches’ ETag manifests.',
    // Reads the part manifests and HEADs the staging object; CompleteMultipartUpload is s3:PutObject.
    // A missing manifest or staging object must answer 404 (PartManifestError, or the original
    // completion error), not 403.
    access: {
      table: 'read',
      bucket: { read: ['staging/*'], put: ['staging/*'], list: ['staging/*'] },
    },
  },
  ScanForMalware: {
    entry: 'lambdas/workflow/scan-malware.ts',
    image: 'clamav',
    timeoutSeconds: 900,
    // clamd holds the official signatures in memory (about 1.2 GiB), and gets more CPU with more memory.
    memoryMiB: 3008,
    description:
      'Streams the assembled file to ClamAV (clamd, INSTREAM) with signatures kept in S3; returns the verdict.',
    // Streams the staging object. Reads ClamAV's signature manifest and files; a missing manifest
    // (the update function has not run yet) must answer 404, not 403, hence the prefix-bound list.
    access: {
      table: 'read',
      bucket: { read: ['staging/*', 'clamav/*'], list: ['clamav/*'] },
    },
  },
  AnalyzeFile: {
    entry: 'lambdas/workflow/analyze-file.ts',
    timeoutSeconds: 900,
    // Lambda CPU grows with memory: 1,769 MB is one full vCPU, and the pass is CPU-bound.
    memoryMiB: 2048,
    description:
      'Streams the assembled file once: size, sha256, format, dataset and schema validation, statistics; writes the report.',
    // Streams and range-reads the staging object, then puts its report next to it (and only that:
    // it may not overwrite the file it judges). Reads the registered schema init named (init
    // checked it exists and schemas are never deleted, so no 404 is needed).
    access: {
      table: 'read',
      bucket: { read: ['staging/*', 'schemas/*'], put: ['staging/*/.analysis.json'] },
    },
  },
  PublishFile: {
    entry: 'lambdas/workflow/publish-file.ts',
    timeoutSeconds: 900,
    memoryMiB: 512,
    description:
      'Copies the verified file and its analysis report under completed/ and deletes the staging objects and chunks.',
    // HEADs the staging and the published object and the staging report (a retry finds the
    // staging objects gone: its idempotency needs 404, not 403), copies staging -> completed
    // (beyond 5 GiB as a multipart copy, aborted on failure) and the report next to it, then
    // deletes the staging object and report, part manifests and chunks.
    access: {
      table: 'read',
      bucket: {
        read: ['staging/*', 'completed/*'],
        put: ['completed/*'],
        abortMultipartUpload: ['completed/*'],
        delete: ['staging/*', 'uploads/*'],
        list: ['staging/*', 'completed/*'],
      },
    },
  },
  NotifyDownstream: {
    entry: 'lambdas/workflow/notify-downstream.ts',
    // The webhook's own retries with backoff (CURATION_WEBHOOK_MAX_ATTEMPTS) fit well inside.
    timeoutSeconds: 120,
    memoryMiB: 256,
    description:
      'Starts a fine-tuning job for a fine-tuning dataset and delivers the signed data-curation webhook.',
    // Reads the published file's report (schema family, record count); records each target's
    // answer on the session so a retry or a re-send never asks a target twice.
    access: { table: 'readWrite', bucket: { read: ['completed/*/.analysis.json'] } },
    notifiesDownstream: true,
  },
  RecordCompletion: {
    entry: 'lambdas/workflow/record-completion.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the completed state and the result body; publishes Upload Completed.',
    // Reads the published file's analysis report (PublishFile copied it there; never missing, so
    // no 404 is needed); builds the s3:// locations from the bucket name.
    access: { table: 'readWrite', bucket: { read: ['completed/*/.analysis.json'] } },
    publishesEvents: true,
  },
  RecordRejection: {
    entry: 'lambdas/workflow/record-rejection.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the rejected state and the reason; publishes Upload Rejected.',
    // Reads the analysis report AnalyzeFile wrote next to the staging file (never missing, so no
    // 404 is needed), not the file itself; builds the s3:// locations from the bucket name.
    access: { table: 'readWrite', bucket: { read: ['staging/*/.analysis.json'] } },
    publishesEvents: true,
  },
  QuarantineFile: {
    entry: 'lambdas/workflow/quarantine-file.ts',
    timeoutSeconds: 900,
    memoryMiB: 512,
    description: 'Moves a dangerous file and its report under quarantine/, cleans up, records quarantined.',
    // Like PublishFile, but to quarantine/: HEADs (404 needed on a retry, hence the prefix-bound
    // list), copies staging -> quarantine, deletes staging objects and chunks, reads the moved report.
    access: {
      table: 'readWrite',
      bucket: {
        read: ['staging/*', 'quarantine/*'],
        put: ['quarantine/*'],
        abortMultipartUpload: ['quarantine/*'],
        delete: ['staging/*', 'uploads/*'],
        list: ['staging/*', 'quarantine/*'],
      },
    },
    publishesEvents: true,
  },
  RecordFailure: {
    entry: 'lambdas/workflow/record-failure.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the failed state with the error name (chunks are kept); publishes Upload Failed.',
    // Aborts the staging object's multipart upload, best effort; reads and writes no object.
    access: { table: 'readWrite', bucket: { abortMultipartUpload: ['staging/*'] } },
    publishesEvents: true,
  },
} as const satisfies Record<string, WorkflowTaskDefinition>;

export type WorkflowTaskName = keyof typeof workflowTasks;
