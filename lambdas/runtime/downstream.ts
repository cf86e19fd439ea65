/**
 * The downstream configuration (events, fine-tuning, data-curation webhook), read from the
 * environment once and validated like `config.ts` (kept apart so each stays one job), and the
 * adapters it selects. On AWS the stack sets EVENT_BUS_NAME on every function, and the
 * fine-tuning and webhook variables on the functions that notify; the local stack sets
 * EVENTS_FILE and FINE_TUNING_JOBS_FILE under its data directory.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { BedrockFineTuningLauncher } from '../adapters/bedrock-fine-tuning-launcher.js';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-event-publisher.js';
import { JsonlEventPublisher } from '../adapters/jsonl-event-publisher.js';
import { JsonlFineTuningQueue } from '../adapters/jsonl-fine-tuning-queue.js';
import { secretsManagerSecret } from '../adapters/secrets-manager-secret.js';
import { SqsFineTuningQueue } from '../adapters/sqs-fine-tuning-queue.js';
import { WebhookCurationNotifier } from '../adapters/webhook-curation-notifier.js';
import type { DownstreamDeps, EventPublisher, FineTuningLauncher } from '../core/downstream/ports.js';
import { ConfigError } from './config.js';
import { logger } from './logger.js';

const hyperParameters = z
  .string()
  .transform((text, context) => {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      }
    } catch {}
    context.addIssue({ code: 'custom', message: 'BEDROCK_HYPERPARAMETERS must be a JSON object' });
    return z.NEVER;
  })
  .default({});

const downstreamSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENTS_FILE: z.string().min(1).optional(),
  FINE_TUNING_TARGET: z
    .enum(['sqs', 'bedrock', 'local-queue', 'none'], {
      error: 'FINE_TUNING_TARGET must be sqs, bedrock, local-queue or none',
    })
    .optional(),
  FINE_TUNING_QUEUE_URL: z.url({ error: 'FINE_TUNING_QUEUE_URL must be a URL' }).optional(),
  FINE_TUNING_JOBS_FILE: z.string().min(1).optional(),
  BEDROCK_BASE_MODEL: z.string().min(1).optional(),
  BEDROCK_ROLE_ARN: z.string().startsWith('arn:', 'BEDROCK_ROLE_ARN must be an IAM role ARN').optional(),
  BEDROCK_OUTPUT_S3_URI: z
    .string()
    .startsWith('s3://', 'BEDROCK_OUTPUT_S3_URI must be an s3:// URI')
    .optional(),
  BEDROCK_HYPERPARAMETERS: hyperParameters,
  BEDROCK_CUSTOM_MODEL_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9-]{1,26}$/)
    .default('upload'),
  CURATION_WEBHOOK_URL: z.url({ error: 'CURATION_WEBHOOK_URL must be a URL' }).optional(),
  CURATION_WEBHOOK_SECRET: z.string().min(1).optional(),
  CURATION_WEBHOOK_SECRET_ARN: z.string().startsWith('arn:').optional(),
  CURATION_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  CURATION_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  CURATION_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export type DownstreamConfig = z.infer<typeof downstreamSchema>;

export function loadDownstreamConfig(env: NodeJS.ProcessEnv = process.env): DownstreamConfig {
  const parsed = downstreamSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid downstream configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const target = fineTuningTargetOf(config);
  const missing = (names: (keyof DownstreamConfig)[]) => names.filter((name) => config[name] === undefined);
  const required =
    target === 'sqs'
      ? missing(['FINE_TUNING_QUEUE_URL'])
      : target === 'bedrock'
        ? missing(['BEDROCK_BASE_MODEL', 'BEDROCK_ROLE_ARN', 'BEDROCK_OUTPUT_S3_URI'])
        : target === 'local-queue'
          ? missing(['FINE_TUNING_JOBS_FILE'])
          : [];
  if (required.length > 0) {
    throw new ConfigError(`FINE_TUNING_TARGET ${target} needs ${required.join(', ')}`);
  }
  if (config.CURATION_WEBHOOK_URL && !config.CURATION_WEBHOOK_SECRET && !config.CURATION_WEBHOOK_SECRET_ARN) {
    throw new ConfigError(
      'CURATION_WEBHOOK_URL needs CURATION_WEBHOOK_SECRET or CURATION_WEBHOOK_SECRET_ARN',
    );
  }
  return config;
}

/** The target in use: as set, else the one whose setting is present. */
export function fineTuningTargetOf(config: DownstreamConfig): 'sqs' | 'bedrock' | 'local-queue' | 'none' {
  if (config.FINE_TUNING_TARGET) return config.FINE_TUNING_TARGET;
  if (config.FINE_TUNING_QUEUE_URL) return 'sqs';
  if (config.FINE_TUNING_JOBS_FILE) return 'local-queue';
  return 'none';
}

/** Without a bus or a file, events are only logged: a process configured for neither publishes nothing. */
const unconfiguredEvents: EventPublisher = {
  async publish(event) {
    logger.info('event not published: neither EVENT_BUS_NAME nor EVENTS_FILE is set', {
      uploadId: event.detail.uploadId,
      detailType: event.detailType,
    });
  },
};

function fineTuningLauncher(config: DownstreamConfig): FineTuningLauncher | undefined {
  switch (fineTuningTargetOf(config)) {
    case 'sqs':
      return new SqsFineTuningQueue(new SQSClient({}), config.FINE_TUNING_QUEUE_URL as string);
    case 'bedrock':
      return new BedrockFineTuningLauncher(new BedrockClient({}), {
        baseModelIdentifier: config.BEDROCK_BASE_MODEL as string,
        roleArn: config.BEDROCK_ROLE_ARN as string,
        outputS3Uri: config.BEDROCK_OUTPUT_S3_URI as string,
        hyperParameters: config.BEDROCK_HYPERPARAMETERS,
        customModelNamePrefix: config.BEDROCK_CUSTOM_MODEL_PREFIX,
      });
    case 'local-queue':
      return new JsonlFineTuningQueue(config.FINE_TUNING_JOBS_FILE as string);
    default:
      return undefined;
  }
}

/** Builds the adapters the configuration names (SDK clients only for the targets in use). */
export function buildDownstream(config: DownstreamConfig): DownstreamDeps {
  const events = config.EVENT_BUS_NAME
    ? new EventBridgeEventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME)
    : config.EVENTS_FILE
      ? new JsonlEventPublisher(config.EVENTS_FILE)
      : unconfiguredEvents;
  const localSecret = config.CURATION_WEBHOOK_SECRET;
  const curation = config.CURATION_WEBHOOK_URL
    ? new WebhookCurationNotifier({
        url: config.CURATION_WEBHOOK_URL,
        secret:
          localSecret !== undefined
            ? async () => localSecret
            : secretsManagerSecret(
                new SecretsManagerClient({}),
                config.CURATION_WEBHOOK_SECRET_ARN as string,
              ),
        maxAttempts: config.CURATION_WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: config.CURATION_WEBHOOK_RETRY_BASE_MS,
        timeoutMs: config.CURATION_WEBHOOK_TIMEOUT_MS,
      })
    : undefined;
  return { events, fineTuning: fineTuningLauncher(config), curation };
}
