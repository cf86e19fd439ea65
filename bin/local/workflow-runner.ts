/**
 * The local Step Functions: runs the ASL that CDK synthesizes (see `lib/local-asl.ts`) with
 * aws-local-stepfunctions, each Task state mapped by name to the same handler module Lambda runs.
 *
 * Step Functions keeps executions durable and names unique; this runner keeps a small journal
 * under `.data/executions/` for the same two promises: a second `start` for an upload never
 * runs a second execution, and executions cut short by a crash or `kill -9` are run again at
 * the next start (every task is idempotent, so a re-run from the top converges).
 */
import './polyfills.js';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExecutionStatus, WorkflowStarter } from '../../lambdas/core/ports.js';
import type { Logger } from '../../lambdas/runtime/logger.js';
import { workflowTasks } from '../../lambdas/workflow/tasks.js';

type TaskHandler = (input: unknown) => Promise<unknown>;

interface JournalEntry {
  uploadId: string;
  executionId: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startedAt: string;
  stoppedAt?: string;
  error?: string;
}

/** Imports the handler of every Task state, keyed by state name. */
export async function loadTaskHandlers(projectRoot: string): Promise<Record<string, TaskHandler>> {
  const entries = await Promise.all(
    Object.entries(workflowTasks).map(async ([stateName, task]) => {
      const module = (await import(pathToFileURL(resolve(projectRoot, task.entry)).href)) as {
        handler: TaskHandler;
      };
      return [stateName, module.handler] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export class LocalWorkflowRunner implements WorkflowStarter {
  private readonly machine: StateMachine;
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    definition: Record<string, unknown>,
    private readonly handlers: Record<string, TaskHandler>,
    private readonly journalDir: string,
    private readonly log: Logger,
  ) {
    this.machine = new StateMachine(definition as never, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  }

  private journalPath(uploadId: string): string {
    return join(this.journalDir, `${uploadId}.json`);
  }

  private async readJournal(uploadId: string): Promise<JournalEntry | undefined> {
    try {
      return JSON.parse(await readFile(this.journalPath(uploadId), 'utf8')) as JournalEntry;
    } catch {
      return undefined;
    }
  }

  private async writeJournal(entry: JournalEntry): Promise<void> {
    await mkdir(this.journalDir, { recursive: true });
    await writeFile(this.journalPath(entry.uploadId), JSON.stringify(entry));
  }

  private readonly starting = new Map<string, Promise<string>>();

  /** Idempotent per upload, like a named Step Functions execution; concurrent calls share one start. */
  start(uploadId: string): Promise<string> {
    const inFlight = this.starting.get(uploadId);
    if (inFlight) return inFlight;
    const started = this.startOnce(uploadId).finally(() => this.starting.delete(uploadId));
    this.starting.set(uploadId, started);
    return started;
  }

  private async startOnce(uploadId: string): Promise<string> {
    const executionId = `local:execution:completion:${uploadId}`;
    if (this.running.has(uploadId)) return executionId;
    const existing = await this.readJournal(uploadId);
    if (existing && existing.status !== 'RUNNING') return existing.executionId;
    const entry: JournalEntry = {
      uploadId,
      executionId,
      status: 'RUNNING',
      startedAt: new Date().toISOString(),
    };
    await this.writeJournal(entry);
    this.running.set(uploadId, this.execute(entry));
    return executionId;
  }

  private async execute(entry: JournalEntry): Promise<void> {
    const log = this.log.child({ uploadId: entry.uploadId, executionId: entry.executionId });
    log.info('workflow started');
    try {
      const execution = this.machine.run(
        { uploadId: entry.uploadId },
        {
          overrides: { taskResourceLocalHandlers: this.handlers as never },
          context: { Execution: { Name: entry.uploadId, Id: entry.executionId } } as never,
        },
      );
      await execution.result;
      await this.writeJournal({ ...entry, status: 'SUCCEEDED', stoppedAt: new Date().toISOString() });
      log.info('workflow succeeded');
    } catch (error) {
      // A failed execution already recorded `failed` through its RecordFailure state.
      await this.writeJournal({
        ...entry,
        status: 'FAILED',
        stoppedAt: new Date().toISOString(),
        error: String(error),
      });
      log.warn('workflow failed', { error });
    } finally {
      this.running.delete(entry.uploadId);
    }
  }

  /** From the journal, as Step Functions would answer DescribeExecution. */
  async status(executionId: string): Promise<ExecutionStatus> {
    const uploadId = executionId.slice(executionId.lastIndexOf(':') + 1);
    if (this.running.has(uploadId)) return 'RUNNING';
    return (await this.readJournal(uploadId))?.status ?? 'UNKNOWN';
  }

  /** Runs again every execution the journal shows as still running (cut short by a crash). */
  async resumeInterrupted(): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.journalDir);
    } catch {
      return [];
    }
    const resumed: string[] = [];
    for (const file of files.filter((name) => name.endsWith('.json'))) {
      const entry = await this.readJournal(file.slice(0, -'.json'.length));
      if (entry?.status !== 'RUNNING' || this.running.has(entry.uploadId)) continue;
      this.log.info('resuming interrupted workflow', { uploadId: entry.uploadId });
      this.running.set(entry.uploadId, this.execute(entry));
      resumed.push(entry.uploadId);
    }
    return resumed;
  }

  /** Resolves when no execution is running (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }
}
