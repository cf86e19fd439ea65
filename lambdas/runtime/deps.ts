/**
 * The composition root: builds the ports from the configuration once per process (a Lambda
 * container, or the local stack). The local stack replaces the workflow starter with its
 * in-process runner through `overrideDeps`; everything else is the same code as on AWS.
 */
import { createAwsClients } from '../adapters/aws-clients.js';
import { DynamoDBOpenUploadLedger } from '../adapters/dynamodb-open-upload-ledger.js';
import { DynamoDBSessionRepository } from '../adapters/dynamodb-session-repository.js';
import { S3ObjectStore } from '../adapters/s3-object-store.js';
import { StepFunctionsWorkflowStarter } from '../adapters/step-functions-workflow-starter.js';
import type { DownstreamDeps, EventPublisher } from '../core/downstream/ports.js';
import type {
  Clock,
  ObjectStore,
  OpenUploadLedger,
  SessionRepository,
  WorkflowStarter,
} from '../core/ports.js';
import { systemClock } from '../core/ports.js';
import { type Config, loadConfig } from './config.js';
import { buildDownstream, loadDownstreamConfig } from './downstream.js';

export interface Deps {
  config: Config;
  sessions: SessionRepository;
  objects: ObjectStore;
  workflow: WorkflowStarter;
  openUploads: OpenUploadLedger;
  clock: Clock;
  /** The stack's event bus (or the local events file). */
  events: EventPublisher;
  /** The fine-tuning and data-curation targets configured for this process. */
  downstream: DownstreamDeps;
}

let current: Deps | undefined;

const missingWorkflow: WorkflowStarter = {
  start: () => Promise.reject(new Error('STATE_MACHINE_ARN is not set: this process cannot start workflows')),
  status: () => Promise.reject(new Error('STATE_MACHINE_ARN is not set: this process has no workflows')),
};

function buildDeps(config: Config): Deps {
  const clients = createAwsClients(config);
  const downstream = buildDownstream(loadDownstreamConfig(process.env));
  return {
    config,
    sessions: new DynamoDBSessionRepository(clients.documentClient, config.tableName),
    objects: new S3ObjectStore(clients.s3, config.bucketName, {
      // s3rver ignores If-None-Match: the local stack, the one process writing to it, sets
      // S3_CONDITIONAL_WRITES=in-process (s3-object-store.ts). On AWS S3's conditional write is atomic.
      conditionalWrites: config.s3ConditionalWrites,
    }),
    workflow: config.stateMachineArn
      ? new StepFunctionsWorkflowStarter(clients.sfn, config.stateMachineArn)
      : missingWorkflow,
    openUploads: new DynamoDBOpenUploadLedger(clients.documentClient, config.tableName),
    clock: systemClock,
    events: downstream.events,
    downstream,
  };
}

/** The process's dependencies, built on first use from `process.env`. */
export function getDeps(): Deps {
  current ??= buildDeps(loadConfig(process.env));
  return current;
}

/** Replaces some dependencies (the local stack's workflow runner, tests' fake clocks). */
export function overrideDeps(overrides: Partial<Deps>): Deps {
  current = { ...getDeps(), ...overrides };
  return current;
}

/** Forgets the built dependencies, so the next `getDeps` reads the environment again. */
export function resetDeps(): void {
  current = undefined;
}
