/**
 * Each function's S3 permissions, judged from the synthesized template against the requests its
 * code really makes: the core runs on in-memory ports with one recording store per function
 * (`recording-object-store.ts`), through the upload routes and the completion workflow's verified,
 * rejected and failed paths and the retries the tasks are written to survive.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  downloadDefinitions,
  readManifest,
  uploadDefinitions,
} from '../../lambdas/adapters/clamav/s3-definitions.js';
import { abortUpload } from '../../lambdas/core/abort-upload.js';
import { completeUpload } from '../../lambdas/core/complete-upload.js';
import { analyzeUpload } from '../../lambdas/core/completion/analyze-upload.js';
import { assembleBatch } from '../../lambdas/core/completion/assemble-batch.js';
import { finishAssembly } from '../../lambdas/core/completion/finish-assembly.js';
import { notifyPublishedUpload } from '../../lambdas/core/completion/notify-downstream.js';
import { planAssembly } from '../../lambdas/core/completion/plan-assembly.js';
import { publishFile } from '../../lambdas/core/completion/publish-file.js';
import { quarantineFile } from '../../lambdas/core/completion/quarantine-file.js';
import { recordCompletion } from '../../lambdas/core/completion/record-completion.js';
import { recordFailure } from '../../lambdas/core/completion/record-failure.js';
import { recordRejection } from '../../lambdas/core/completion/record-rejection.js';
import { scanForMalware } from '../../lambdas/core/completion/scan-malware.js';
import { resendNotifications } from '../../lambdas/core/downstream/resend-notifications.js';
import { getStatus } from '../../lambdas/core/get-status.js';
import { initUpload } from '../../lambdas/core/init-upload.js';
import { keys } from '../../lambdas/core/keys.js';
import type { ObjectStore } from '../../lambdas/core/ports.js';
import { putChunk } from '../../lambdas/core/put-chunk.js';
import { getSchema, registerSchema } from '../../lambdas/core/schema-registry.js';
import { routes } from '../../lambdas/routes.js';
import { type WorkflowTaskName, workflowTasks } from '../../lambdas/workflow/tasks.js';
import { grantBucketAccess } from '../../lib/bucket-access.js';
import type { UploadStack } from '../../lib/upload-stack.js';
import { createDeps, fileBytes, MiB, seedUpload, sha256Hex } from '../core/completion/fixtures.js';
import { patternBytes } from '../support/bytes.js';
import { createCoreDeps } from '../support/core-deps.js';
import { ScannerDouble } from '../support/scanner-double.js';
import { actionsOf, buildTemplate, logicalIdOf, type PolicyStatementJson } from './fixture.js';
import { RecordingObjectStore } from './recording-object-store.js';
import {
  allows,
  describeGrant,
  describeRequest,
  grantAllows,
  type S3Grant,
  type S3Request,
  s3GrantsOfRole,
} from './s3-policy.js';

let stack: UploadStack;
let template: Template;

const functionNames = [
  ...routes.map((route) => route.id),
  ...(Object.keys(workflowTasks) as WorkflowTaskName[]),
];

const requestsByFunction = new Map<string, S3Request[]>();

function requestsOf(name: string): S3Request[] {
  let requests = requestsByFunction.get(name);
  if (requests === undefined) {
    requests = [];
    requestsByFunction.set(name, requests);
  }
  return requests;
}

/** `deps` as function `name` gets them: every S3 request it makes is recorded under its name. */
const as = <D extends { objects: ObjectStore }>(
  deps: D,
  name: string,
): Omit<D, 'objects'> & { objects: ObjectStore } => ({
  ...deps,
  objects: new RecordingObjectStore(deps.objects, requestsOf(name)),
});

function grantsOf(name: string): S3Grant[] {
  const fn = stack.routeFunctions[name] ?? stack.taskFunctions[name as WorkflowTaskName];
  if (fn === undefined) throw new Error(`no function ${name}`);
  return s3GrantsOfRole(template, logicalIdOf(fn.role), logicalIdOf(stack.bucket));
}

const qaSchema = {
  type: 'object',
  required: ['question', 'answer'],
  properties: { question: { type: 'string' }, answer: { type: 'string' } },
};

/**
 * A schema registered (new, again, a conflicting document), read, and a missing one read; an
 * upload through the routes naming it: init (also naming a missing schema), every chunk (one
 * twice), status, complete; another one aborted.
 */
async function runRoutes(): Promise<void> {
  const deps = createCoreDeps();
  await registerSchema(as(deps, 'RegisterSchema'), 'qa', qaSchema);
  await registerSchema(as(deps, 'RegisterSchema'), 'qa', qaSchema);
  await expect(registerSchema(as(deps, 'RegisterSchema'), 'qa', { type: 'object' })).rejects.toThrow(
    expect.objectContaining({ name: 'SchemaConflictError' }),
  );
  await getSchema(as(deps, 'GetSchema'), 'qa');
  await expect(getSchema(as(deps, 'GetSchema'), 'missing')).rejects.toThrow(
    expect.objectContaining({ name: 'SchemaNotFoundError' }),
  );
  await expect(
    initUpload(as(deps, 'InitUpload'), {
      filename: 'train.jsonl',
      totalSize: 10,
      schema: 'custom:missing',
      owner: 'local',
    }),
  ).rejects.toThrow(/Unknown schema/);

  const totalSize = 2500;
  const file = patternBytes(totalSize);
  const chunk = (index: number) => file.subarray(index * 1024, Math.min(totalSize, (index + 1) * 1024));
  const init = () =>
    initUpload(as(deps, 'InitUpload'), {
      filename: 'train.jsonl',
      totalSize,
      schema: 'custom:qa',
      owner: 'local',
    });

  const { uploadId, totalChunks } = await init();
  for (const index of [0, 1, 2, 0]) {
    await putChunk(as(deps, 'UploadChunk'), {
      owner: 'local',
      uploadId,
      chunkIndex: index,
      totalChunks,
      bytes: chunk(index),
    });
  }
  await getStatus(as(deps, 'GetUploadStatus'), uploadId, 'local');
  await completeUpload(as(deps, 'CompleteUpload'), uploadId, 'local');

  const aborted = await init();
  await putChunk(as(deps, 'UploadChunk'), {
    owner: 'local',
    uploadId: aborted.uploadId,
    chunkIndex: 0,
    totalChunks: aborted.totalChunks,
    bytes: chunk(0),
  });
  await abortUpload(as(deps, 'AbortUpload'), aborted.uploadId, 'local');
}

/**
 * The workflow's tasks in the state machine's order; `checksum` decides verified or rejected. The
 * file (`shard.dat`, no dataset) takes two parts; AnalyzeFile reads it and the registered schema
 * init named, and writes its report.
 */
async function runCompletion(checksumOf: (bytes: Uint8Array) => string): Promise<void> {
  const deps = createDeps();
  await registerSchema(deps, 'qa', qaSchema);
  const bytes = fileBytes(6 * MiB + 1);
  const { uploadId } = await seedUpload(deps, {
    bytes,
    chunkSize: MiB,
    checksum: checksumOf(bytes),
    schema: 'custom:qa',
  });
  const plan = await planAssembly(as(deps, 'PlanAssembly'), { uploadId });
  const { multipartUploadId, stagingKey } = plan;
  for (const batch of plan.batches) {
    await assembleBatch(as(deps, 'AssembleBatch'), { uploadId, multipartUploadId, stagingKey, batch });
  }
  const assembled = await finishAssembly(as(deps, 'FinishAssembly'), { uploadId, plan });
  // A retry after S3 completed the upload but the invocation timed out: the upload is gone.
  await finishAssembly(as(deps, 'FinishAssembly'), { uploadId, plan });
  const malware = await scanForMalware(as(deps, 'ScanForMalware'), new ScannerDouble(), {
    uploadId,
    plan,
    assembled,
  });
  const verification = await analyzeUpload(as(deps, 'AnalyzeFile'), { uploadId, plan, assembled, malware });
  if (!verification.ok) {
    await recordRejection(as(deps, 'RecordRejection'), { uploadId, plan, assembled, verification });
    return;
  }
  const verified = { uploadId, plan, assembled, verification };
  const published = await publishFile(as(deps, 'PublishFile'), verified);
  // A retry after the copy and the deletes: the staging object is gone, which HEAD must say.
  await publishFile(as(deps, 'PublishFile'), verified);
  // Neither the staging nor the published object (deleted behind its back): a named error, not 403.
  const publishedBytes = (await deps.objects.getBytes(published.key)) ?? new Uint8Array();
  await deps.objects.delete([published.key]);
  await expect(publishFile(as(deps, 'PublishFile'), verified)).rejects.toThrow(/Neither/);
  await deps.objects.put(published.key, publishedBytes);
  const notified = await notifyPublishedUpload(as(deps, 'NotifyDownstream'), { ...verified, published });
  await recordCompletion(as(deps, 'RecordCompletion'), { ...verified, published, notified });
  // The notify route re-sends on the completed upload (it reads the published report, nothing else).
  const routeDeps = { ...createCoreDeps(), sessions: deps.sessions, objects: deps.objects };
  await resendNotifications(as(routeDeps, 'NotifyUpload'), uploadId, 'local');
}

/** A file the analysis found dangerous: QuarantineFile moves it (twice: a retry) and records it. */
async function runQuarantine(): Promise<void> {
  const deps = createDeps();
  const { uploadId } = await seedUpload(deps, { bytes: fileBytes(2 * MiB), chunkSize: MiB });
  const plan = await planAssembly(as(deps, 'PlanAssembly'), { uploadId });
  const { multipartUploadId, stagingKey } = plan;
  for (const batch of plan.batches) {
    await assembleBatch(as(deps, 'AssembleBatch'), { uploadId, multipartUploadId, stagingKey, batch });
  }
  const assembled = await finishAssembly(as(deps, 'FinishAssembly'), { uploadId, plan });
  const analyzed = await analyzeUpload(as(deps, 'AnalyzeFile'), { uploadId, plan, assembled });
  const verification = { ...analyzed, ok: false, quarantined: true, threats: ['a test threat'] };
  await quarantineFile(as(deps, 'QuarantineFile'), { uploadId, plan, assembled, verification });
  // A retry: the staging object is gone (HEAD must say 404), the quarantined one is there.
  await deps.sessions.transition(uploadId, { from: ['quarantined'], to: 'processing' });
  await quarantineFile(as(deps, 'QuarantineFile'), { uploadId, plan, assembled, verification });
  // Neither object (deleted behind its back): a named error, not 403.
  await deps.sessions.transition(uploadId, { from: ['quarantined'], to: 'processing' });
  await deps.objects.delete([keys.quarantine(uploadId, 'shard.dat')]);
  await expect(
    quarantineFile(as(deps, 'QuarantineFile'), { uploadId, plan, assembled, verification }),
  ).rejects.toThrow(/Neither/);
}

/**
 * What the scanning function's container does besides scanning (`container-clamd.ts`): it reads
 * the signature manifest - missing before the first update, which must be a 404 - and then the
 * database files it names.
 */
async function runVirusDefinitions(): Promise<void> {
  const deps = createDeps();
  const scanner = as(deps, 'ScanForMalware');
  expect(await readManifest(scanner.objects)).toBeUndefined();
  const dir = await mkdtemp(join(tmpdir(), 'definitions-'));
  try {
    await writeFile(join(dir, 'daily.cld'), 'signatures');
    await uploadDefinitions(deps.objects, dir, 'ClamAV 1.4.3/27830/today');
    expect(await downloadDefinitions(scanner.objects, join(dir, 'loaded'))).toMatchObject({
      files: [{ name: 'daily.cld', size: 10 }],
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A workflow whose batches never ran: FinishAssembly finds no manifest, RecordFailure aborts. */
async function runFailedCompletion(): Promise<void> {
  const deps = createDeps();
  const { uploadId } = await seedUpload(deps, { bytes: fileBytes(2 * MiB), chunkSize: MiB });
  const plan = await planAssembly(as(deps, 'PlanAssembly'), { uploadId });
  await expect(finishAssembly(as(deps, 'FinishAssembly'), { uploadId, plan })).rejects.toThrow(
    expect.objectContaining({ name: 'PartManifestError' }),
  );
  await recordFailure(as(deps, 'RecordFailure'), { uploadId, plan, error: { Error: 'PartManifestError' } });
}

beforeAll(async () => {
  ({ stack, template } = buildTemplate());
  await runRoutes();
  await runCompletion(sha256Hex);
  await runCompletion(() => '0'.repeat(64));
  await runFailedCompletion();
  await runQuarantine();
  await runVirusDefinitions();
});

describe('S3 permissions, against the requests each function makes', () => {
  it('runs the code of every function that makes S3 requests', () => {
    const withRequests = functionNames.filter((name) => requestsOf(name).length > 0);
    expect(withRequests.sort()).toEqual(
      [
        'InitUpload',
        'UploadChunk',
        'AbortUpload',
        'RegisterSchema',
        'GetSchema',
        'PlanAssembly',
        'AssembleBatch',
        'FinishAssembly',
        'ScanForMalware',
        'AnalyzeFile',
        'PublishFile',
        'NotifyDownstream',
        'NotifyUpload',
        'QuarantineFile',
        'RecordCompletion',
        'RecordRejection',
        'RecordFailure',
      ].sort(),
    );
  });

  it.each(functionNames)('allows %s every S3 request its code makes', (name) => {
    const grants = grantsOf(name);
    const denied = requestsOf(name).filter((request) => !allows(grants, request));
    expect(denied.map(describeRequest)).toEqual([]);
  });

  it.each(functionNames)('allows %s nothing in S3 that its code does not request', (name) => {
    const requests = requestsOf(name);
    const unused = grantsOf(name).filter((grant) => !requests.some((request) => grantAllows(grant, request)));
    expect(unused.map(describeGrant)).toEqual([]);
  });
});

describe('S3 permissions by key prefix', () => {
  const uploadId = 'u-1';
  const chunk = keys.chunk(uploadId, 0);
  const staging = keys.staging(uploadId, 'train.jsonl');
  const manifest = keys.partManifest(uploadId, 0);
  const completed = keys.completed(uploadId, 'train.jsonl');
  const stagingReport = keys.stagingReport(uploadId);
  const completedReport = keys.completedReport(uploadId);
  const schema = keys.schema('qa');
  const everyKey = [
    chunk,
    staging,
    manifest,
    stagingReport,
    completed,
    completedReport,
    schema,
    'other/u-1/x',
  ];
  const objectActions = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

  /** Every `action key` the function may do, of every object action on a key of every prefix. */
  const allowedOf = (name: string): string[] => {
    const grants = grantsOf(name);
    return objectActions.flatMap((action) =>
      everyKey.filter((key) => allows(grants, { action, key })).map((key) => `${action} ${key}`),
    );
  };

  it('lets UploadChunk put chunks and nothing else: it can neither read nor delete them', () => {
    expect(allowedOf('UploadChunk')).toEqual([`s3:PutObject ${chunk}`]);
  });

  it('lets AbortUpload delete chunks and nothing else', () => {
    expect(allowedOf('AbortUpload')).toEqual([`s3:DeleteObject ${chunk}`]);
  });

  it('lets InitUpload read registered schemas and nothing else', () => {
    expect(allowedOf('InitUpload')).toEqual([`s3:GetObject ${schema}`]);
  });

  it('lets RegisterSchema read and put registered schemas and nothing else', () => {
    expect(allowedOf('RegisterSchema')).toEqual([`s3:GetObject ${schema}`, `s3:PutObject ${schema}`]);
  });

  it('lets GetSchema read registered schemas and nothing else', () => {
    expect(allowedOf('GetSchema')).toEqual([`s3:GetObject ${schema}`]);
  });

  it.each(['GetUploadStatus', 'CompleteUpload', 'Health'])('gives %s no S3 permission at all', (name) => {
    expect(grantsOf(name).map(describeGrant)).toEqual([]);
  });

  it('lets AssembleBatch read chunks and write only under staging/', () => {
    expect(allowedOf('AssembleBatch')).toEqual([
      `s3:GetObject ${chunk}`,
      `s3:PutObject ${staging}`,
      `s3:PutObject ${manifest}`,
      `s3:PutObject ${stagingReport}`,
    ]);
  });

  it('lets AnalyzeFile read under staging/ and registered schemas, and write only the analysis report', () => {
    expect(allowedOf('AnalyzeFile')).toEqual([
      `s3:GetObject ${staging}`,
      `s3:GetObject ${manifest}`,
      `s3:GetObject ${stagingReport}`,
      `s3:GetObject ${schema}`,
      `s3:PutObject ${stagingReport}`,
    ]);
  });

  it('lets RecordCompletion read the published analysis report and nothing else', () => {
    expect(allowedOf('RecordCompletion')).toEqual([`s3:GetObject ${completedReport}`]);
  });

  it('lets RecordRejection read the staging analysis report and nothing else, not the rejected file', () => {
    expect(allowedOf('RecordRejection')).toEqual([`s3:GetObject ${stagingReport}`]);
  });

  it('lets PublishFile write only under completed/ and delete only staging objects, manifests and chunks', () => {
    expect(allowedOf('PublishFile')).toEqual([
      `s3:GetObject ${staging}`,
      `s3:GetObject ${manifest}`,
      `s3:GetObject ${stagingReport}`,
      `s3:GetObject ${completed}`,
      `s3:GetObject ${completedReport}`,
      `s3:PutObject ${completed}`,
      `s3:PutObject ${completedReport}`,
      `s3:DeleteObject ${chunk}`,
      `s3:DeleteObject ${staging}`,
      `s3:DeleteObject ${manifest}`,
      `s3:DeleteObject ${stagingReport}`,
      `s3:AbortMultipartUpload ${completed}`,
      `s3:AbortMultipartUpload ${completedReport}`,
    ]);
  });

  it('lets RecordFailure abort the staging object’s multipart upload and nothing else', () => {
    expect(allowedOf('RecordFailure')).toEqual([
      `s3:AbortMultipartUpload ${staging}`,
      `s3:AbortMultipartUpload ${manifest}`,
      `s3:AbortMultipartUpload ${stagingReport}`,
    ]);
  });

  it('lets only the functions that need a 404 list, only under the prefixes they read', () => {
    const listing = functionNames.flatMap((name) =>
      grantsOf(name)
        .filter((grant) => grant.action === 's3:ListBucket')
        .map((grant) => `${name} ${describeGrant(grant)}`),
    );
    expect(listing).toEqual([
      'InitUpload s3:ListBucket <bucket> if s3:prefix like schemas/*',
      'RegisterSchema s3:ListBucket <bucket> if s3:prefix like schemas/*',
      'GetSchema s3:ListBucket <bucket> if s3:prefix like schemas/*',
      'FinishAssembly s3:ListBucket <bucket> if s3:prefix like staging/*',
      'ScanForMalware s3:ListBucket <bucket> if s3:prefix like clamav/*',
      'PublishFile s3:ListBucket <bucket> if s3:prefix like staging/*',
      'PublishFile s3:ListBucket <bucket> if s3:prefix like completed/*',
      'QuarantineFile s3:ListBucket <bucket> if s3:prefix like staging/*',
      'QuarantineFile s3:ListBucket <bucket> if s3:prefix like quarantine/*',
    ]);
    expect(allows(grantsOf('PublishFile'), { action: 's3:ListBucket', prefix: 'uploads/' })).toBe(false);
  });

  it('names no S3 action wildcard, no whole-bucket object pattern and no Resource "*" for S3', () => {
    // Key patterns: a prefix, or the analysis report under one (`staging/*/.analysis.json`).
    const broad = functionNames.flatMap((name) =>
      grantsOf(name)
        .filter(
          (grant) =>
            grant.action.includes('*') ||
            'any' in grant.resource ||
            ('keyPattern' in grant.resource &&
              !/^(uploads|staging|completed|quarantine|schemas|clamav)\/\*(\/\.analysis\.json)?$/.test(
                grant.resource.keyPattern,
              )),
        )
        .map((grant) => `${name} ${describeGrant(grant)}`),
    );
    expect(broad).toEqual([]);
  });
});

describe('grantBucketAccess', () => {
  it.each([
    [{ read: ['uploads/*'] }, ['kms:Decrypt']],
    [{ put: ['uploads/*'] }, ['kms:Decrypt', 'kms:GenerateDataKey']],
    [{ delete: ['uploads/*'] }, []],
  ])('grants %o on a bucket with a KMS key exactly the key actions %o, on that key', (access, keyActions) => {
    const kmsStack = new Stack(new App(), 'KmsBucket');
    const key = new Key(kmsStack, 'Key');
    const bucket = new Bucket(kmsStack, 'Bucket', { encryption: BucketEncryption.KMS, encryptionKey: key });
    const role = new Role(kmsStack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });

    grantBucketAccess(bucket, role, access);

    const statements = Object.values(Template.fromStack(kmsStack).findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const kms = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('kms:')),
    );
    expect(kms.flatMap(actionsOf).sort()).toEqual(keyActions);
    for (const statement of kms)
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] });
  });
});
