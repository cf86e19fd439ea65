/**
 * The route table: the one source of truth for the HTTP API. The CDK stack creates one
 * Lambda function and one HTTP API route per entry; the local server (`bin/local.ts`) routes
 * requests with the same entries to the same handler modules.
 */

/**
 * The S3 requests a function makes, each as the object key patterns it makes them on (the key
 * layout is in `core/keys.ts`: `uploads/`, `staging/`, `completed/`, `schemas/`). A request type
 * left out is not granted at all; `{}` is no S3 access. `lib/bucket-access.ts` turns each into one
 * IAM statement with exactly that action.
 */
export interface BucketAccess {
  /** `s3:GetObject`: GetObject, HeadObject, and the source of CopyObject and UploadPartCopy. */
  readonly read?: readonly string[];
  /**
   * `s3:PutObject`: PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload, and
   * the target of CopyObject and UploadPartCopy.
   */
  readonly put?: readonly string[];
  /** `s3:AbortMultipartUpload`. */
  readonly abortMultipartUpload?: readonly string[];
  /** `s3:DeleteObject` (DeleteObjects is authorized per key with it). */
  readonly delete?: readonly string[];
  /**
   * `s3:ListBucket`, only for keys under these patterns (an `s3:prefix` condition). Without it
   * S3 answers a GET or HEAD of a missing key 403 AccessDenied instead of 404: grant it where
   * the code treats a missing object as an answer (`head`/`getBytes` returning `undefined`).
   */
  readonly list?: readonly string[];
}

/** What a route's function may touch; the stack turns this into least-privilege grants. */
export interface RouteAccess {
  /** `readUpdate`: reads plus `dynamodb:UpdateItem` only (no PutItem, DeleteItem or BatchWriteItem). */
  table: 'none' | 'read' | 'readUpdate' | 'readWrite';
  bucket: BucketAccess;
  /** May start the completion workflow (`states:StartExecution`). */
  startWorkflow: boolean;
  /**
   * Asks how an execution of the completion workflow stands (`states:DescribeExecution` on this
   * state machine's executions only), to record one that ended without an outcome as `failed`
   * (`core/reconcile-execution.ts`).
   */
  describesExecutions?: boolean;
  /** Publishes `Upload Aborted` / `Upload Expired` on the stack's bus (`events:PutEvents` there only). */
  publishesEvents?: boolean;
  /** Re-sends downstream notifications (the fine-tuning target, the curation webhook's secret). */
  notifiesDownstream?: boolean;
}

export interface RouteDefinition {
  /** Construct id of the route's function. Stable: renaming it replaces the function. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path, with `{name}` path parameters. */
  readonly path: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  readonly access: RouteAccess;
  /**
   * Reachable without authentication. Only the health check: every other route has the API's
   * authorizer on AWS (`lib/upload-api.ts`) and a verified token locally (`bin/local/local-auth.ts`).
   */
  readonly public?: true;
}

export const routes: readonly RouteDefinition[] = [
  {
    id: 'InitUpload',
    method: 'POST',
    path: '/api/upload/init',
    entry: 'lambdas/init.ts',
    description: 'Starts an upload session and answers its id and chunk size.',
    timeoutSeconds: 10,
    memoryMiB: 256,
    // HEADs schemas/{name}.json when `schema` names a registered schema: a missing one must
    // answer 404 (a 400 naming the schema), not 403.
    access: {
      table: 'readWrite',
      bucket: { read: ['schemas/*'], list: ['schemas/*'] },
      startWorkflow: false,
    },
  },
  {
    id: 'UploadChunk',
    method: 'POST',
    path: '/api/upload/chunk',
    entry: 'lambdas/chunk.ts',
    description: 'Stores one chunk (multipart/form-data), idempotently.',
    timeoutSeconds: 29,
    memoryMiB: 512,
    // Publishes Upload Expired when it finds the session past its expiry.
    access: {
      table: 'readWrite',
      bucket: { put: ['uploads/*'] },
      startWorkflow: false,
      publishesEvents: true,
    },
  },
  {
    id: 'GetUploadStatus',
    method: 'GET',
    path: '/api/upload/status/{uploadId}',
    entry: 'lambdas/status.ts',
    description: 'Lists received chunk indices, the state and, once final, the result.',
    timeoutSeconds: 10,
    memoryMiB: 256,
    // A processing upload whose execution ended without an outcome is recorded failed (a
    // conditional UpdateItem) and its Upload Failed event published (marked by an UpdateItem).
    access: {
      table: 'readUpdate',
      bucket: {},
      startWorkflow: false,
      describesExecutions: true,
      publishesEvents: true,
    },
  },
  {
    id: 'CompleteUpload',
    method: 'POST',
    path: '/api/upload/complete/{uploadId}',
    entry: 'lambdas/complete.ts',
    description: 'Starts the completion workflow once and waits briefly for its result.',
    // API Gateway HTTP APIs end an integration at 30 s; the wait (COMPLETE_WAIT_SECONDS) stays below.
    timeoutSeconds: 29,
    memoryMiB: 256,
    // Publishes Upload Expired (past expiry) and Upload Failed (an execution that ended unrecorded).
    access: {
      table: 'readWrite',
      bucket: {},
      startWorkflow: true,
      describesExecutions: true,
      publishesEvents: true,
    },
  },
  {
    id: 'AbortUpload',
    method: 'DELETE',
    path: '/api/upload/{uploadId}',
    entry: 'lambdas/abort.ts',
    description: 'Aborts an open upload and deletes its chunks.',
    timeoutSeconds: 29,
    memoryMiB: 256,
    access: {
      table: 'readWrite',
      bucket: { delete: ['uploads/*'] },
      startWorkflow: false,
      publishesEvents: true,
    },
  },
  {
    id: 'NotifyUpload',
    method: 'POST',
    path: '/api/upload/{uploadId}/notify',
    entry: 'lambdas/notify.ts',
    description: "Re-sends a completed upload's downstream notifications, once per target.",
    // The curation webhook's own retries (CURATION_WEBHOOK_MAX_ATTEMPTS) must fit the 30 s of HTTP APIs.
    timeoutSeconds: 29,
    memoryMiB: 256,
    // Reads the published report (schema family, record count); records each target's answer.
    access: {
      table: 'readWrite',
      bucket: { read: ['completed/*/.analysis.json'] },
      startWorkflow: false,
      publishesEvents: true,
      notifiesDownstream: true,
    },
  },
  {
    id: 'RegisterSchema',
    method: 'PUT',
    path: '/api/schemas/{name}',
    entry: 'lambdas/put-schema.ts',
    description: 'Registers a JSON Schema under a name, once: the same document again is a no-op.',
    timeoutSeconds: 10,
    memoryMiB: 256,
    // Reads schemas/{name}.json (missing is the usual answer: 404, not 403) and puts it once.
    access: {
      table: 'none',
      bucket: { read: ['schemas/*'], put: ['schemas/*'], list: ['schemas/*'] },
      startWorkflow: false,
    },
  },
  {
    id: 'GetSchema',
    method: 'GET',
    path: '/api/schemas/{name}',
    entry: 'lambdas/get-schema.ts',
    description: 'Answers a registered JSON Schema with its version.',
    timeoutSeconds: 10,
    memoryMiB: 256,
    // Reads schemas/{name}.json; an unknown name must answer 404, not 403.
    access: {
      table: 'none',
      bucket: { read: ['schemas/*'], list: ['schemas/*'] },
      startWorkflow: false,
    },
  },
  {
    id: 'Health',
    method: 'GET',
    path: '/api/health',
    entry: 'lambdas/health.ts',
    description: 'Liveness check: answers 200 without touching storage.',
    timeoutSeconds: 5,
    memoryMiB: 128,
    access: { table: 'none', bucket: {}, startWorkflow: false },
    public: true,
  },
];
