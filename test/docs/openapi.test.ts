/**
 * docs/openapi.json against the code: the same routes as the route table, the status codes each
 * handler can answer, the request schemas of `lambdas/http/schemas.ts`, and real response bodies
 * (from the real handlers and workflow tasks on in-memory ports, no servers) valid against the
 * documented schemas. Response objects are checked closed: a field the code answers but the
 * document does not list fails the test.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { handler as abortHandler } from '../../lambdas/abort.js';
import { InMemoryObjectStore } from '../../lambdas/adapters/in-memory-object-store.js';
import { InMemoryOpenUploadLedger } from '../../lambdas/adapters/in-memory-open-upload-ledger.js';
import { InMemorySessionRepository } from '../../lambdas/adapters/in-memory-session-repository.js';
import { handler as chunkHandler } from '../../lambdas/chunk.js';
import { handler as completeHandler } from '../../lambdas/complete.js';
import { keys } from '../../lambdas/core/keys.js';
import { systemClock, type WorkflowStarter } from '../../lambdas/core/ports.js';
import { handler as getSchemaHandler } from '../../lambdas/get-schema.js';
import { handler as healthHandler } from '../../lambdas/health.js';
import { chunkFormFields, initUploadBody } from '../../lambdas/http/schemas.js';
import { handler as initHandler } from '../../lambdas/init.js';
import { handler as notifyHandler } from '../../lambdas/notify.js';
import { handler as putSchemaHandler } from '../../lambdas/put-schema.js';
import { routes } from '../../lambdas/routes.js';
import { overrideDeps, resetDeps } from '../../lambdas/runtime/deps.js';
import { createLogger } from '../../lambdas/runtime/logger.js';
import { handler as statusHandler } from '../../lambdas/status.js';
import { runWorkflow, type TestDeps } from '../core/completion/fixtures.js';
import { chatExample, chatJsonl, safetensors } from '../support/datasets.js';
import { ScannerDouble } from '../support/scanner-double.js';

type JsonObject = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'delete';

interface Operation {
  operationId: string;
  responses: Record<string, JsonObject>;
}

const doc = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  openapi: string;
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components: { schemas: Record<string, JsonObject>; responses: Record<string, JsonObject> };
};

/** The status codes each route's handler can answer: the contract this test holds the document to. */
const statusesByRoute: Record<string, string[]> = {
  InitUpload: ['200', '400', '413', '415', '500'],
  UploadChunk: ['200', '400', '404', '409', '410', '413', '415', '500'],
  GetUploadStatus: ['200', '404', '410', '500'],
  CompleteUpload: ['200', '202', '400', '404', '410', '422', '500'],
  AbortUpload: ['200', '404', '409', '410', '500'],
  NotifyUpload: ['200', '404', '409', '410', '500'],
  RegisterSchema: ['200', '400', '409', '413', '415', '500'],
  GetSchema: ['200', '404', '500'],
  Health: [],
};
// Every route is throttled (429); every route but health needs an identity (401), refuses bodies
// above MAX_REQUEST_BODY_SIZE (413), and init refuses more open uploads than MAX_OPEN_UPLOADS_PER_OWNER (429).
for (const route of routes) {
  const statuses = statusesByRoute[route.id] ?? [];
  const added = route.public ? ['200', '429'] : ['401', '413', '429'];
  statusesByRoute[route.id] = [...new Set([...statuses, ...added])].sort();
}

function operation(path: string, method: string): Operation {
  const found = doc.paths[path]?.[method.toLowerCase() as Method];
  if (!found) throw new Error(`docs/openapi.json has no ${method} ${path}`);
  return found;
}

const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

/** The JSON schema of one documented response, following a `#/components/responses` reference. */
function responseSchema(path: string, method: string, status: number | string): JsonObject {
  let response = operation(path, method).responses[String(status)];
  if (typeof response?.$ref === 'string') response = doc.components.responses[refName(response.$ref)];
  const content = response?.content as Record<string, { schema: JsonObject }> | undefined;
  const schema = content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON body for ${status}`);
  return schema;
}

/** The alternatives a response schema allows, as [component name, schema]. */
function alternatives(schema: JsonObject): [string, JsonObject][] {
  const branches = (schema.oneOf as JsonObject[] | undefined) ?? [schema];
  return branches.map((branch) => {
    if (typeof branch.$ref !== 'string') throw new Error('response schemas reference components');
    const name = refName(branch.$ref);
    return [name, doc.components.schemas[name] as JsonObject];
  });
}

/** Every object schema with `properties` becomes closed, so undocumented fields fail validation. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

const validators = new Map<string, z.ZodType>();

/** A zod validator for a documented response: components become `$defs`, the one form zod resolves. */
function validatorFor(path: string, method: string, status: number): z.ZodType {
  const id = `${method} ${path} ${status}`;
  let validator = validators.get(id);
  if (!validator) {
    const root = JSON.parse(
      JSON.stringify({
        $defs: closed(doc.components.schemas),
        ...(closed(responseSchema(path, method, status)) as JsonObject),
      }).replaceAll('#/components/schemas/', '#/$defs/'),
    );
    validator = z.fromJSONSchema(root);
    validators.set(id, validator);
  }
  return validator;
}

interface Answer {
  status: number;
  body: JsonObject;
}

/** Asserts the answer's status is documented for the route and its body matches the schema. */
function expectDocumented(path: string, method: string, answer: Answer): void {
  const parsed = validatorFor(path, method, answer.status).safeParse(answer.body);
  expect(
    parsed.error?.issues ?? [],
    `${method} ${path} ${answer.status} ${JSON.stringify(answer.body)}`,
  ).toEqual([]);
}

// --- calling the real handlers with API Gateway v2 events -------------------------------------

const routeByPath = (method: string, path: string) => {
  const route = routes.find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no route ${method} ${path}`);
  return route;
};

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

async function call(
  handler: Handler,
  method: string,
  path: string,
  request: {
    body?: Buffer;
    contentType?: string;
    uploadId?: string;
    name?: string;
    /** The caller's `sub` claim; `null` for an event without an authorizer context. */
    sub?: string | null;
  } = {},
): Promise<Answer> {
  const route = routeByPath(method, path);
  const pathParameters = {
    ...(request.uploadId === undefined ? {} : { uploadId: request.uploadId }),
    ...(request.name === undefined ? {} : { name: request.name }),
  };
  const event = {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path.replace('{uploadId}', request.uploadId ?? '').replace('{name}', request.name ?? ''),
    rawQueryString: '',
    headers: request.contentType ? { 'content-type': request.contentType } : {},
    pathParameters: Object.keys(pathParameters).length === 0 ? undefined : pathParameters,
    requestContext: {
      requestId: 'test-request',
      routeKey: `${route.method} ${route.path}`,
      // As API Gateway's JWT authorizer (and the local stand-in) put a verified token's claims.
      ...(request.sub === null
        ? {}
        : { authorizer: { jwt: { claims: { sub: request.sub ?? 'local' }, scopes: null } } }),
    },
    body: request.body?.toString('base64'),
    isBase64Encoded: request.body !== undefined,
  } as unknown as APIGatewayProxyEventV2;
  const result = await handler(event);
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? 'null') as JsonObject };
}

const boundary = 'openapi-test-boundary';
const schemaPath = '/api/schemas/{name}';

function multipart(fields: Record<string, string | number>, chunk?: Uint8Array): Buffer {
  const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  if (chunk) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="chunk"; filename="blob"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from(chunk),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

const api = {
  init: (body: unknown, contentType = 'application/json') =>
    call(initHandler, 'POST', '/api/upload/init', {
      body: Buffer.from(JSON.stringify(body)),
      contentType,
    }),
  chunk: (uploadId: string, chunkIndex: number, totalChunks: number, bytes: Uint8Array) =>
    call(chunkHandler, 'POST', '/api/upload/chunk', {
      body: multipart({ uploadId, chunkIndex, totalChunks }, bytes),
      contentType: `multipart/form-data; boundary=${boundary}`,
    }),
  status: (uploadId: string) => call(statusHandler, 'GET', '/api/upload/status/{uploadId}', { uploadId }),
  complete: (uploadId: string) =>
    call(completeHandler, 'POST', '/api/upload/complete/{uploadId}', { uploadId }),
  abort: (uploadId: string) => call(abortHandler, 'DELETE', '/api/upload/{uploadId}', { uploadId }),
  notify: (uploadId: string) => call(notifyHandler, 'POST', '/api/upload/{uploadId}/notify', { uploadId }),
  putSchema: (name: string, body: unknown, contentType = 'application/json') =>
    call(putSchemaHandler, 'PUT', schemaPath, {
      name,
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      contentType,
    }),
  getSchema: (name: string) => call(getSchemaHandler, 'GET', schemaPath, { name }),
};

// --- in-memory ports behind the handlers -------------------------------------------------------

const chunkSize = 1024;
const settings = {
  CHUNK_SIZE: String(chunkSize),
  MAX_UPLOAD_SIZE: String(1024 * 1024),
  COMPLETE_WAIT_SECONDS: '0',
};
const savedEnv = { ...process.env };
const sessions = new InMemorySessionRepository();
const objects = new InMemoryObjectStore('docs-bucket');
const starts: string[] = [];
const workflow: WorkflowStarter = {
  start: async (uploadId) => {
    starts.push(uploadId);
    return `execution:${uploadId}`;
  },
  status: async () => 'RUNNING',
};
/** A fine-tuning target that starts numbered jobs, and refuses while `failing` is set. */
const fineTuning = {
  kind: 'test',
  failing: false,
  started: 0,
  async start() {
    if (this.failing) throw new Error('The fine-tuning queue is unavailable');
    return `job-${++this.started}`;
  },
};
const events = { publish: async () => {} };
const completionDeps: TestDeps = {
  sessions,
  objects,
  events,
  downstream: { fineTuning },
  clock: systemClock,
  config: { resultRetentionMs: 86_400_000 },
  logger: createLogger({}, 'error', () => {}),
  logLines: [],
  scanner: new ScannerDouble(),
};

beforeAll(() => {
  Object.assign(
    process.env,
    { TABLE_NAME: 'docs-table', BUCKET_NAME: 'docs-bucket', LOG_LEVEL: 'warn' },
    settings,
  );
  resetDeps();
  overrideDeps({
    sessions,
    objects,
    workflow,
    openUploads: new InMemoryOpenUploadLedger(),
    clock: systemClock,
    events,
    downstream: { events, fineTuning },
  });
});

afterAll(() => {
  resetDeps();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
});

const fileOf = (size: number, seed: number) =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251);

/**
 * An upload with every chunk sent; `complete` not yet called. The default name, `shard.dat`, is
 * no dataset: its bytes are only hashed, so any bytes publish.
 */
async function uploaded(file: Uint8Array, init: JsonObject = {}): Promise<string> {
  const started = await api.init({ filename: 'shard.dat', totalSize: file.length, ...init });
  const uploadId = started.body.uploadId as string;
  const totalChunks = Math.ceil(file.length / chunkSize);
  for (let index = 0; index < totalChunks; index++) {
    await api.chunk(uploadId, index, totalChunks, file.subarray(index * chunkSize, (index + 1) * chunkSize));
  }
  return uploadId;
}

// --- the tests ---------------------------------------------------------------------------------

describe('docs/openapi.json', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('documents exactly the routes of the route table, with the route ids as operation ids', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(
        ([method, op]) => `${method.toUpperCase()} ${path} ${(op as Operation).operationId}`,
      ),
    );

    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path} ${r.id}`).sort());
  });

  it('documents the success and error codes of every operation, each with a JSON body', () => {
    for (const route of routes) {
      const documented = Object.keys(operation(route.path, route.method).responses).sort();

      expect(documented, route.id).toEqual(statusesByRoute[route.id]);
      for (const status of documented)
        expect(responseSchema(route.path, route.method, status)).toBeTypeOf('object');
    }
  });

  it('gives every error body a message and a code', () => {
    for (const route of routes) {
      for (const status of Object.keys(operation(route.path, route.method).responses).filter(
        (s) => s >= '400',
      )) {
        for (const [name, branch] of alternatives(responseSchema(route.path, route.method, status))) {
          const required = branch.required as string[];

          expect(required, `${route.id} ${status} ${name}`).toContain('message');
          expect(required, `${route.id} ${status} ${name}`).toContain('code');
        }
      }
    }
  });

  it('describes the request fields of lambdas/http/schemas.ts', () => {
    const init = z.toJSONSchema(initUploadBody, { io: 'input' }) as JsonObject;
    const chunk = z.toJSONSchema(chunkFormFields, { io: 'input' }) as JsonObject;
    const documented = (name: string) => {
      const schema = doc.components.schemas[name] as { properties: JsonObject; required: string[] };
      return { properties: Object.keys(schema.properties).sort(), required: [...schema.required].sort() };
    };
    const fieldsOf = (schema: JsonObject, extra: string[] = []) => ({
      properties: [...Object.keys(schema.properties as JsonObject), ...extra].sort(),
      required: [...(schema.required as string[]), ...extra].sort(),
    });

    expect(documented('InitUploadRequest')).toEqual(fieldsOf(init));
    expect(documented('ChunkUploadForm')).toEqual(fieldsOf(chunk, ['chunk']));
  });
});

describe('real response bodies match docs/openapi.json', () => {
  it('init, chunk (new and duplicate), status, abort and health', async () => {
    const file = fileOf(2 * chunkSize + 10, 1);
    const init = await api.init({ filename: 'data/train.jsonl', totalSize: file.length });
    const uploadId = init.body.uploadId as string;
    const first = await api.chunk(uploadId, 0, 3, file.subarray(0, chunkSize));
    const again = await api.chunk(uploadId, 0, 3, file.subarray(0, chunkSize));
    const status = await api.status(uploadId);
    const aborted = await api.abort(uploadId);
    const health = await call(healthHandler, 'GET', '/api/health');

    expect([init.status, first.status, again.status, status.status, aborted.status, health.status]).toEqual([
      200, 200, 200, 200, 200, 200,
    ]);
    expect(again.body.duplicate).toBe(true);
    expectDocumented('/api/upload/init', 'POST', init);
    expectDocumented('/api/upload/chunk', 'POST', first);
    expectDocumented('/api/upload/chunk', 'POST', again);
    expectDocumented('/api/upload/status/{uploadId}', 'GET', status);
    expectDocumented('/api/upload/{uploadId}', 'DELETE', aborted);
    expectDocumented('/api/health', 'GET', health);
  });

  it('complete: 202 while processing, then the completed result, also as status.result', async () => {
    const file = Buffer.from(chatJsonl(12));
    const uploadId = await uploaded(file, {
      filename: 'train.jsonl',
      schema: 'chat',
      purpose: 'fine-tune',
      metadata: { team: 'search', labels: ['a', 'b'] },
    });

    const processing = await api.complete(uploadId);
    await runWorkflow(completionDeps, uploadId);
    const completed = await api.complete(uploadId);
    const status = await api.status(uploadId);

    expect([processing.status, completed.status, status.status]).toEqual([202, 200, 200]);
    expect(completed.body).toMatchObject({
      state: 'completed',
      downstreamJobId: expect.stringMatching(/^job-/),
      notifications: [{ target: 'fine-tuning', status: 'started', id: completed.body.downstreamJobId }],
      metadata: {
        recordCount: 12,
        schemaFamily: 'chat',
        dataset: { format: 'jsonl', chat: expect.any(Object) },
        lineage: { purpose: 'fine-tune', clientMetadata: { team: 'search', labels: ['a', 'b'] } },
      },
    });
    expect(status.body.result).toEqual(completed.body);
    expect(starts).toContain(uploadId);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', processing);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', completed);
    expectDocumented('/api/upload/status/{uploadId}', 'GET', status);
  });

  it('complete: the completed results of a model artifact, an archive and a CSV dataset', async () => {
    const files: [string, Uint8Array][] = [
      ['model.safetensors', safetensors({ 'layer.weight': { dtype: 'F16', shape: [8, 8] } })],
      ['logs.gz', gzipSync(Buffer.from('log line\n'.repeat(500)))],
      [
        'labels.csv',
        Buffer.from(`text,label\n${Array.from({ length: 12 }, (_, i) => `row ${i},l${i % 3}`).join('\n')}\n`),
      ],
    ];
    const answers: Answer[] = [];
    for (const [filename, file] of files) {
      const uploadId = await uploaded(file, { filename });
      await api.complete(uploadId);
      await runWorkflow(completionDeps, uploadId);
      answers.push(await api.complete(uploadId));
    }

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers.map((answer) => answer.body.metadata)).toEqual([
      expect.objectContaining({
        fileType: 'model_artifact',
        artifact: expect.objectContaining({ format: 'safetensors' }),
      }),
      expect.objectContaining({ fileType: 'archive', archive: { format: 'gzip' } }),
      expect.objectContaining({
        fileType: 'dataset',
        recordCount: 12,
        dataset: expect.objectContaining({ format: 'csv', labels: expect.any(Object) }),
      }),
    ]);
    for (const answer of answers) expectDocumented('/api/upload/complete/{uploadId}', 'POST', answer);
  });

  it('complete: the rejected (422) and failed (500) results', async () => {
    const rejectedId = await uploaded(fileOf(2 * chunkSize, 3), { checksum: 'ab'.repeat(32) });
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify(chatExample(i)));
    lines[4] = '{"messages": [';
    const invalidId = await uploaded(Buffer.from(`${lines.join('\n')}\n`), { filename: 'train.jsonl' });
    const failedId = await uploaded(fileOf(2 * chunkSize, 4));
    await api.complete(rejectedId);
    await api.complete(invalidId);
    await api.complete(failedId);
    await objects.delete([keys.chunk(failedId, 1)]);
    await runWorkflow(completionDeps, rejectedId);
    await runWorkflow(completionDeps, invalidId);
    await runWorkflow(completionDeps, failedId);

    const rejected = await api.complete(rejectedId);
    const invalid = await api.complete(invalidId);
    const failed = await api.complete(failedId);
    const failedStatus = await api.status(failedId);

    expect([rejected.status, invalid.status, failed.status]).toEqual([422, 422, 500]);
    expect(rejected.body).toMatchObject({ state: 'rejected', code: 'CHECKSUM_MISMATCH', errors: [] });
    expect(invalid.body).toMatchObject({
      state: 'rejected',
      code: 'DATASET_INVALID',
      errors: [{ line: 5, code: 'INVALID_JSON' }],
      errorCount: 1,
      metadata: { recordCount: 11, dataset: { format: 'jsonl' } },
    });
    expect(failed.body).toMatchObject({ state: 'failed' });
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', rejected);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', invalid);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', failed);
    expectDocumented('/api/upload/status/{uploadId}', 'GET', failedStatus);
  });

  it('notify: a fine-tuning start that failed is recorded, then re-sent once; 404 and 409 bodies', async () => {
    const uploadId = await uploaded(Buffer.from(chatJsonl(12)), { filename: 'train.jsonl' });
    const rejectedId = await uploaded(fileOf(2 * chunkSize, 6), { checksum: 'cd'.repeat(32) });
    await api.complete(uploadId);
    await api.complete(rejectedId);
    fineTuning.failing = true;
    await runWorkflow(completionDeps, uploadId);
    await runWorkflow(completionDeps, rejectedId);
    fineTuning.failing = false;

    const completed = await api.complete(uploadId);
    const resent = await api.notify(uploadId);
    const again = await api.notify(uploadId);
    const status = await api.status(uploadId);
    const notRejected = await api.notify(rejectedId);
    const unknown = await api.notify('00000000-0000-4000-8000-000000000000');

    expect([completed.status, resent.status, again.status]).toEqual([200, 200, 200]);
    expect(completed.body).toMatchObject({
      state: 'completed',
      downstreamJobId: null,
      notifications: [
        { target: 'fine-tuning', status: 'failed', error: expect.stringMatching(/unavailable/) },
      ],
    });
    expect(resent.body).toMatchObject({
      success: true,
      downstreamJobId: expect.stringMatching(/^job-/),
      notifications: [{ target: 'fine-tuning', status: 'started' }],
    });
    // Idempotent per target: the started job is answered again, no second job.
    expect(again.body.downstreamJobId).toBe(resent.body.downstreamJobId);
    expect((status.body.result as JsonObject).downstreamJobId).toBe(resent.body.downstreamJobId);
    expect([notRejected.status, unknown.status]).toEqual([409, 404]);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', completed);
    for (const answer of [resent, again, notRejected, unknown]) {
      expectDocumented('/api/upload/{uploadId}/notify', 'POST', answer);
    }
  });

  it('error bodies: 400, 404, 409, 410, 413 and 415', async () => {
    const file = fileOf(2 * chunkSize, 5);
    const open = (await api.init({ filename: 'a.bin', totalSize: file.length })).body.uploadId as string;
    await api.chunk(open, 0, 2, file.subarray(0, chunkSize));
    const accepted = await uploaded(file);
    await api.complete(accepted);
    const aborted = (await api.init({ filename: 'b.bin', totalSize: 10 })).body.uploadId as string;
    await api.abort(aborted);
    const chunkPath = '/api/upload/chunk';

    const answers: [string, string, Answer][] = [
      ['/api/upload/init', 'POST', await api.init({})],
      ['/api/upload/init', 'POST', await api.init({ filename: '../..', totalSize: 1 })],
      ['/api/upload/init', 'POST', await api.init({ filename: 'big.bin', totalSize: 2 * 1024 * 1024 })],
      ['/api/upload/init', 'POST', await api.init({ filename: 'a', totalSize: 1 }, 'text/plain')],
      [chunkPath, 'POST', await api.chunk(open, 1, 2, file.subarray(0, 100))],
      [chunkPath, 'POST', await api.chunk(open, 5, 2, file.subarray(0, chunkSize))],
      [chunkPath, 'POST', await api.chunk(open, 1, 3, file.subarray(0, chunkSize))],
      [chunkPath, 'POST', await api.chunk('not-an-upload-id', 0, 2, file.subarray(0, chunkSize))],
      [chunkPath, 'POST', await api.chunk(open, 0, 2, file.subarray(chunkSize))],
      [chunkPath, 'POST', await api.chunk(accepted, 0, 2, file.subarray(0, chunkSize))],
      [chunkPath, 'POST', await api.chunk(aborted, 0, 1, file.subarray(0, 10))],
      [chunkPath, 'POST', await api.chunk(open, 1, 2, file)],
      [
        chunkPath,
        'POST',
        await call(chunkHandler, 'POST', chunkPath, {
          body: Buffer.from('{}'),
          contentType: 'application/json',
        }),
      ],
      ['/api/upload/status/{uploadId}', 'GET', await api.status('not-an-upload-id')],
      ['/api/upload/status/{uploadId}', 'GET', await api.status(aborted)],
      ['/api/upload/complete/{uploadId}', 'POST', await api.complete(open)],
      ['/api/upload/complete/{uploadId}', 'POST', await api.complete(aborted)],
      ['/api/upload/{uploadId}', 'DELETE', await api.abort(accepted)],
      ['/api/upload/{uploadId}', 'DELETE', await api.abort(aborted)],
    ];

    expect(answers.map(([, , answer]) => answer.status)).toEqual([
      400, 400, 413, 415, 400, 400, 400, 404, 409, 409, 410, 413, 415, 404, 410, 400, 410, 409, 410,
    ]);
    for (const [path, method, answer] of answers) expectDocumented(path, method, answer);
  });

  it('schema registry: register, register again, read, and init and complete naming the schema', async () => {
    const qa = {
      type: 'object',
      required: ['question', 'answer'],
      properties: { question: { type: 'string' }, answer: { type: 'string' } },
    };
    const registered = await api.putSchema('qa', qa);
    const again = await api.putSchema('qa', JSON.stringify(qa, null, 2));
    const read = await api.getSchema('qa');
    const init = await api.init({ filename: 'qa.jsonl', totalSize: 10, schema: 'custom:qa' });
    const records = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({ question: `q${i}`, answer: `a${i}` }),
    );
    const uploadId = await uploaded(Buffer.from(`${records.join('\n')}\n`), {
      filename: 'qa.jsonl',
      schema: 'custom:qa',
    });
    await api.complete(uploadId);
    await runWorkflow(completionDeps, uploadId);
    const completed = await api.complete(uploadId);

    expect([registered.status, again.status, read.status, init.status, completed.status]).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(again.body).toEqual(registered.body);
    expect(read.body).toEqual(registered.body);
    expect(completed.body.metadata).toMatchObject({ schemaFamily: 'custom:qa' });
    expectDocumented(schemaPath, 'PUT', registered);
    expectDocumented(schemaPath, 'GET', read);
    expectDocumented('/api/upload/init', 'POST', init);
    expectDocumented('/api/upload/complete/{uploadId}', 'POST', completed);
  });

  it('schema registry error bodies: 400, 404, 409, 413 and 415', async () => {
    await api.putSchema('taken', { type: 'object' });
    const large = { type: 'object', description: 'x'.repeat(64 * 1024) };

    const answers: [string, string, Answer][] = [
      [schemaPath, 'PUT', await api.putSchema('Not A Name', { type: 'object' })],
      [schemaPath, 'PUT', await api.putSchema('broken', { type: 'no-such-type' })],
      [schemaPath, 'PUT', await api.putSchema('list', [{ type: 'object' }])],
      [schemaPath, 'PUT', await api.putSchema('lookahead', { type: 'string', pattern: '^(?!tmp)' })],
      [schemaPath, 'PUT', await api.putSchema('taken', { type: 'array' })],
      [schemaPath, 'PUT', await api.putSchema('large', large)],
      [schemaPath, 'PUT', await api.putSchema('qa2', '{}', 'text/plain')],
      [schemaPath, 'GET', await api.getSchema('unknown')],
      [
        '/api/upload/init',
        'POST',
        await api.init({ filename: 'a.jsonl', totalSize: 1, schema: 'custom:nope' }),
      ],
    ];

    expect(answers.map(([, , answer]) => answer.status)).toEqual([
      400, 400, 400, 400, 409, 413, 415, 404, 400,
    ]);
    expect(answers.map(([, , answer]) => answer.body.code)).toEqual([
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'VALIDATION_FAILED',
      'SCHEMA_CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'SCHEMA_NOT_FOUND',
      'VALIDATION_FAILED',
    ]);
    for (const [path, method, answer] of answers) expectDocumented(path, method, answer);
  });

  it('error bodies: 401 without an identity, 413 above MAX_REQUEST_BODY_SIZE, 429 above MAX_OPEN_UPLOADS_PER_OWNER', async () => {
    const anonymous = await call(statusHandler, 'GET', '/api/upload/status/{uploadId}', {
      uploadId: '00000000-0000-4000-8000-000000000000',
      sub: null,
    });
    const tooLarge = await call(initHandler, 'POST', '/api/upload/init', {
      body: Buffer.alloc(5 * 1024 * 1024 + 1, 32),
      contentType: 'application/json',
    });
    for (let i = 0; i < 20; i++) {
      const opened = await call(initHandler, 'POST', '/api/upload/init', {
        body: Buffer.from(JSON.stringify({ filename: `${i}.bin`, totalSize: 10 })),
        contentType: 'application/json',
        sub: 'crowded',
      });
      expect(opened.status).toBe(200);
    }
    const crowded = await call(initHandler, 'POST', '/api/upload/init', {
      body: Buffer.from(JSON.stringify({ filename: 'one-more.bin', totalSize: 10 })),
      contentType: 'application/json',
      sub: 'crowded',
    });

    expect([anonymous.status, tooLarge.status, crowded.status]).toEqual([401, 413, 429]);
    expect(tooLarge.body).toMatchObject({ limit: 'MAX_REQUEST_BODY_SIZE', limitBytes: 5 * 1024 * 1024 });
    expect(crowded.body).toMatchObject({ limit: 'MAX_OPEN_UPLOADS_PER_OWNER', maxOpenUploadsPerOwner: 20 });
    expectDocumented('/api/upload/status/{uploadId}', 'GET', anonymous);
    expectDocumented('/api/upload/init', 'POST', tooLarge);
    expectDocumented('/api/upload/init', 'POST', crowded);
  });

  it('error bodies: 404 for another owner is the 404 for an unknown id', async () => {
    const uploadId = (await api.init({ filename: 'mine.bin', totalSize: 10 })).body.uploadId as string;

    const asOther = await call(statusHandler, 'GET', '/api/upload/status/{uploadId}', {
      uploadId,
      sub: 'other',
    });

    expect(asOther.status).toBe(404);
    expectDocumented('/api/upload/status/{uploadId}', 'GET', asOther);
  });

  it('error bodies: 410 for an expired upload', async () => {
    const uploadId = (await api.init({ filename: 'late.bin', totalSize: 10 })).body.uploadId as string;
    overrideDeps({ clock: { now: () => Date.now() + 25 * 3600_000 } });
    try {
      const answer = await api.chunk(uploadId, 0, 1, fileOf(10, 6));

      expect(answer).toMatchObject({ status: 410, body: { state: 'expired' } });
      expectDocumented('/api/upload/chunk', 'POST', answer);
    } finally {
      overrideDeps({ clock: systemClock });
    }
  });

  it('error bodies: 500 names the request id only', async () => {
    const failing = Object.create(sessions) as InMemorySessionRepository;
    failing.get = () => Promise.reject(new Error('table unavailable'));
    const silenced = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    overrideDeps({ sessions: failing });
    try {
      const answer = await api.status('00000000-0000-4000-8000-000000000000');

      expect(answer.status).toBe(500);
      expect(JSON.stringify(answer.body)).not.toContain('table unavailable');
      expectDocumented('/api/upload/status/{uploadId}', 'GET', answer);
    } finally {
      overrideDeps({ sessions });
      silenced.mockRestore();
    }
  });
});
