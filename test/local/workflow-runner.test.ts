import '../../bin/local/polyfills.js';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalWorkflowRunner } from '../../bin/local/workflow-runner.js';
import { createLogger } from '../../lambdas/runtime/logger.js';

const definition = {
  StartAt: 'PlanAssembly',
  States: {
    PlanAssembly: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Plan',
      End: true,
    },
  },
};
const quiet = createLogger({}, 'error', () => {});
let journalDir: string;

beforeEach(async () => {
  journalDir = await mkdtemp(join(tmpdir(), 'runner-'));
});
afterEach(async () => {
  await rm(journalDir, { recursive: true, force: true });
});

function runnerCounting(calls: string[], gate?: Promise<void>) {
  return new LocalWorkflowRunner(
    definition,
    {
      PlanAssembly: async (input) => {
        calls.push((input as { uploadId: string }).uploadId);
        await gate;
        return {};
      },
    },
    journalDir,
    quiet,
  );
}

describe('LocalWorkflowRunner', () => {
  it('runs one execution for concurrent starts of the same upload, and none after it finished', async () => {
    const calls: string[] = [];
    const runner = runnerCounting(calls);

    const ids = await Promise.all([runner.start('u1'), runner.start('u1'), runner.start('u1')]);
    await runner.idle();
    await runner.start('u1');
    await runner.idle();

    expect(new Set(ids).size).toBe(1);
    expect(calls).toEqual(['u1']);
    expect(JSON.parse(await readFile(join(journalDir, 'u1.json'), 'utf8'))).toMatchObject({
      status: 'SUCCEEDED',
    });
  });

  it('runs again, at the next start, an execution a crash left running', async () => {
    await writeFile(
      join(journalDir, 'u2.json'),
      JSON.stringify({
        uploadId: 'u2',
        executionId: 'local:execution:completion:u2',
        status: 'RUNNING',
        startedAt: '',
      }),
    );
    const calls: string[] = [];
    const runner = runnerCounting(calls);

    const resumed = await runner.resumeInterrupted();
    await runner.idle();

    expect(resumed).toEqual(['u2']);
    expect(calls).toEqual(['u2']);
  });

  it('journals a failed execution as FAILED and does not run it again', async () => {
    const runner = new LocalWorkflowRunner(
      definition,
      { PlanAssembly: async () => Promise.reject(new Error('boom')) },
      journalDir,
      quiet,
    );

    await runner.start('u3');
    await runner.idle();

    expect(JSON.parse(await readFile(join(journalDir, 'u3.json'), 'utf8'))).toMatchObject({
      status: 'FAILED',
    });
    expect(await runner.resumeInterrupted()).toEqual([]);
  });
});
