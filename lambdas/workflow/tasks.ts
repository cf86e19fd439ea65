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
 *   -> VerifyFile              ResultPath $.verification
 *   -> IsVerified (Choice on $.verification.ok)
 *        true  -> PublishFile  ResultPath $.published -> RecordCompletion (end)
 *        false -> RecordRejection (end)
 *   any task error (Catch States.ALL, ResultPath $.error) -> RecordFailure -> CompletionFailed (Fail)
 */
export interface WorkflowTaskDefinition {
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly description: string;
  readonly access: { table: 'read' | 'readWrite'; bucket: 'read' | 'readWrite' };
}

export const workflowTasks = {
  PlanAssembly: {
    entry: 'lambdas/workflow/plan-assembly.ts',
    timeoutSeconds: 60,
    memoryMiB: 512,
    description: 'Checks every chunk is stored, starts the S3 multipart upload and plans part batches.',
    access: { table: 'read', bucket: 'readWrite' },
  },
  AssembleBatch: {
    entry: 'lambdas/workflow/assemble-batch.ts',
    timeoutSeconds: 900,
    memoryMiB: 1024,
    description: 'Concatenates consecutive chunks into S3 parts (>= 5 MiB) for one batch of parts.',
    access: { table: 'read', bucket: 'readWrite' },
  },
  FinishAssembly: {
    entry: 'lambdas/workflow/finish-assembly.ts',
    timeoutSeconds: 120,
    memoryMiB: 512,
    description: 'Completes the multipart upload from the batches’ ETag manifests.',
    access: { table: 'read', bucket: 'readWrite' },
  },
  VerifyFile: {
    entry: 'lambdas/workflow/verify-file.ts',
    timeoutSeconds: 900,
    memoryMiB: 1024,
    description: 'Streams the assembled file once: size, sha256 and file type.',
    access: { table: 'read', bucket: 'read' },
  },
  PublishFile: {
    entry: 'lambdas/workflow/publish-file.ts',
    timeoutSeconds: 900,
    memoryMiB: 512,
    description: 'Copies the verified file under completed/ and deletes the staging object and chunks.',
    access: { table: 'read', bucket: 'readWrite' },
  },
  RecordCompletion: {
    entry: 'lambdas/workflow/record-completion.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the completed state and the result body.',
    access: { table: 'readWrite', bucket: 'read' },
  },
  RecordRejection: {
    entry: 'lambdas/workflow/record-rejection.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the rejected state and the reason.',
    access: { table: 'readWrite', bucket: 'read' },
  },
  RecordFailure: {
    entry: 'lambdas/workflow/record-failure.ts',
    timeoutSeconds: 30,
    memoryMiB: 256,
    description: 'Records the failed state with the error name (chunks are kept).',
    access: { table: 'readWrite', bucket: 'read' },
  },
} as const satisfies Record<string, WorkflowTaskDefinition>;

export type WorkflowTaskName = keyof typeof workflowTasks;
