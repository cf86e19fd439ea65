// Installs Promise.withResolvers on Node 20 before aws-local-stepfunctions loads (see LOCAL-STACK-NOTES).
import '../../bin/local/polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowTasks } from '../../lambdas/workflow/tasks.js';
import { synthesizeCompletionAsl } from '../../lib/local-asl.js';

type Handler = (input: unknown) => Promise<unknown>;
type Asl = ConstructorParameters<typeof StateMachine>[0];

let asl: Record<string, unknown>;

beforeAll(async () => {
  asl = await synthesizeCompletionAsl();
});

const plan = {
  multipartUploadId: 'mpu-1',
  stagingKey: 'staging/u-1/data.jsonl',
  chunksPerPart: 5,
  partCount: 3,
  batches: [
    { batchIndex: 0, firstPart: 1, lastPart: 2 },
    { batchIndex: 1, firstPart: 3, lastPart: 3 },
  ],
};

/** Local handlers for every task that record what they received. */
function recordingHandlers(overrides: Partial<Record<keyof typeof workflowTasks, Handler>> = {}) {
  const calls: { state: string; input: unknown }[] = [];
  const defaults: Record<keyof typeof workflowTasks, Handler> = {
    PlanAssembly: async () => plan,
    AssembleBatch: async (input) => ({
      batchIndex: (input as { batch: { batchIndex: number } }).batch.batchIndex,
    }),
    FinishAssembly: async () => ({ stagingKey: plan.stagingKey, size: 42 }),
    ScanForMalware: async () => ({ status: 'clean', engine: 'ClamAV 1.4.3', signatures: null, threats: [] }),
    AnalyzeFile: async () => ({
      ok: true,
      size: 42,
      sha256: 'ab',
      fileType: 'dataset',
      detectedBy: 'extension .jsonl',
      quarantined: false,
    }),
    PublishFile: async () => ({
      key: 'completed/u-1/data.jsonl',
      filepath: 's3://b/completed/u-1/data.jsonl',
    }),
    NotifyDownstream: async () => ({
      downstreamJobId: 'job-1',
      notifications: [{ target: 'fine-tuning', status: 'started', id: 'job-1', at: 'now' }],
    }),
    RecordCompletion: async () => ({ state: 'completed' }),
    RecordRejection: async () => ({ state: 'rejected' }),
    QuarantineFile: async () => ({ state: 'quarantined' }),
    RecordFailure: async () => ({ state: 'failed' }),
  };
  const handlers = Object.fromEntries(
    Object.entries({ ...defaults, ...overrides }).map(([state, handler]) => [
      state,
      async (input: unknown) => {
        calls.push({ state, input });
        return handler(input);
      },
    ]),
  );
  return { calls, handlers };
}

async function run(handlers: Record<string, Handler>) {
  const machine = new StateMachine(asl as unknown as Asl);
  const execution = machine.run(
    { uploadId: 'u-1' },
    {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: {} },
    },
  );
  return execution.result;
}

describe('synthesizeCompletionAsl', () => {
  it('returns ASL that aws-local-stepfunctions accepts, ARNs and paths validated', () => {
    expect(
      () =>
        new StateMachine(asl as unknown as Asl, { validationOptions: { checkArn: true, checkPaths: true } }),
    ).not.toThrow();
  });

  it('turns every Task Resource into a plain Lambda ARN', () => {
    const json = JSON.stringify(asl);
    expect(json).not.toMatch(/Fn::|"Ref"/);
    const resources = [...json.matchAll(/"Resource":"([^"]+)"/g)].map((match) => match[1]);
    expect(resources).toHaveLength(Object.keys(workflowTasks).length);
    for (const resource of resources) {
      expect(resource).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:[A-Za-z0-9]+$/);
    }
  });

  it('runs the verified path: assembles each batch, publishes, notifies, records completion', async () => {
    const { calls, handlers } = recordingHandlers();
    const output = await run(handlers);
    expect(output).toEqual({ state: 'completed' });
    expect(calls.map((call) => call.state).filter((state) => state !== 'AssembleBatch')).toEqual([
      'PlanAssembly',
      'FinishAssembly',
      'ScanForMalware',
      'AnalyzeFile',
      'PublishFile',
      'NotifyDownstream',
      'RecordCompletion',
    ]);
    const batchInputs = calls.filter((call) => call.state === 'AssembleBatch').map((call) => call.input);
    expect(batchInputs).toEqual(
      expect.arrayContaining(
        plan.batches.map((batch) => ({
          uploadId: 'u-1',
          multipartUploadId: plan.multipartUploadId,
          stagingKey: plan.stagingKey,
          batch,
        })),
      ),
    );
    expect(calls.at(-1)?.input).toEqual({
      uploadId: 'u-1',
      plan,
      assembled: { stagingKey: plan.stagingKey, size: 42 },
      malware: expect.objectContaining({ status: 'clean' }),
      verification: expect.objectContaining({ ok: true }),
      published: expect.objectContaining({ key: 'completed/u-1/data.jsonl' }),
      notified: expect.objectContaining({ downstreamJobId: 'job-1' }),
    });
  });

  it('still records the completion when NotifyDownstream fails, with its error at $.notifyError', async () => {
    const { calls, handlers } = recordingHandlers({
      NotifyDownstream: async () => {
        throw Object.assign(new Error('queue gone'), { name: 'QueueDoesNotExist' });
      },
    });
    expect(await run(handlers)).toEqual({ state: 'completed' });
    expect(calls.map((call) => call.state)).not.toContain('RecordFailure');
    expect(calls.at(-1)).toMatchObject({
      state: 'RecordCompletion',
      input: { notifyError: { Error: 'QueueDoesNotExist' } },
    });
  });

  it('records a rejection when verification fails', async () => {
    const { calls, handlers } = recordingHandlers({
      AnalyzeFile: async () => ({
        ok: false,
        size: 41,
        sha256: 'cd',
        fileType: 'other',
        detectedBy: 'none',
        code: 'SIZE_MISMATCH',
        quarantined: false,
      }),
    });
    expect(await run(handlers)).toEqual({ state: 'rejected' });
    expect(calls.map((call) => call.state)).not.toContain('PublishFile');
    expect(calls.at(-1)?.state).toBe('RecordRejection');
  });

  it('quarantines a file the analysis found dangerous, publishing nothing', async () => {
    const { calls, handlers } = recordingHandlers({
      AnalyzeFile: async () => ({
        ok: false,
        size: 42,
        sha256: 'ef',
        fileType: 'model_artifact',
        detectedBy: 'magic bytes',
        code: 'UNSAFE_PICKLE',
        quarantined: true,
        threats: ['unsafe pickle global os.system in archive/data.pkl'],
      }),
    });
    expect(await run(handlers)).toEqual({ state: 'quarantined' });
    expect(calls.map((call) => call.state)).not.toContain('PublishFile');
    expect(calls.map((call) => call.state)).not.toContain('RecordRejection');
    expect(calls.at(-1)?.state).toBe('QuarantineFile');
  });

  it('records the failure with the error at $.error, then fails the execution', async () => {
    const { calls, handlers } = recordingHandlers({
      AssembleBatch: async () => {
        throw Object.assign(new Error('part too small'), { name: 'EntityTooSmall' });
      },
    });
    await expect(run(handlers)).rejects.toThrow(/RecordFailure stored its error/);
    const failure = calls.find((call) => call.state === 'RecordFailure');
    expect(failure?.input).toMatchObject({
      uploadId: 'u-1',
      error: { Error: 'EntityTooSmall', Cause: expect.stringContaining('part too small') },
    });
    expect(calls.map((call) => call.state)).not.toContain('FinishAssembly');
  });
});
