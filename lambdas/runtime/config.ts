/**
 * Process configuration: read from the environment once, validated, typed. A bad value fails
 * fast with the variable's name. The same variables configure Lambda (set by the CDK stack)
 * and the local stack (set by `bin/local.ts`, overridable by the user); README has the table.
 */
import { z } from 'zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Largest chunk a Lambda can take: 6 MB invoke payload, base64-encoded body plus form overhead. */
export const maxChunkSizeBytes = 4 * MiB;

/** API Gateway HTTP APIs refuse request payloads above 10 MB; no body setting may exceed it. */
export const apiGatewayPayloadLimitBytes = 10 * 1024 * 1024;

/** What a chunk request carries beyond the chunk: the form's boundaries, headers and fields. */
export const multipartOverheadBytes = 64 * 1024;

const intFromEnv = (name: string, fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

const envSchema = z
  .object({
    TABLE_NAME: z.string({ error: 'TABLE_NAME must name the DynamoDB table' }).min(1),
    BUCKET_NAME: z.string({ error: 'BUCKET_NAME must name the S3 bucket' }).min(1),
    STATE_MACHINE_ARN: z.string().min(1).optional(),
    CHUNK_SIZE: intFromEnv('CHUNK_SIZE', MiB, 1024, maxChunkSizeBytes),
    MAX_UPLOAD_SIZE: intFromEnv('MAX_UPLOAD_SIZE', 10 * GiB, 1, 5 * 1024 * GiB),
    SESSION_TTL_HOURS: z.coerce
      .number({ error: 'SESSION_TTL_HOURS must be a number' })
      .positive('SESSION_TTL_HOURS must be positive')
      .max(24 * 30, 'SESSION_TTL_HOURS must be at most 720 (30 days)')
      .default(24),
    COMPLETE_WAIT_SECONDS: z.coerce
      .number({ error: 'COMPLETE_WAIT_SECONDS must be a number' })
      .min(0, 'COMPLETE_WAIT_SECONDS must be at least 0')
      .max(25, 'COMPLETE_WAIT_SECONDS must be at most 25 (API Gateway ends requests at 30 s)')
      .default(10),
    RESULT_RETENTION_DAYS: intFromEnv('RESULT_RETENTION_DAYS', 30, 1, 3650),
    MAX_OPEN_UPLOADS_PER_OWNER: intFromEnv('MAX_OPEN_UPLOADS_PER_OWNER', 20, 1, 1000),
    // 10 GiB (the default MAX_UPLOAD_SIZE) in 1 MiB chunks is 10,240 chunks.
    MAX_CHUNK_COUNT: intFromEnv('MAX_CHUNK_COUNT', 20_000, 1, 1_000_000),
    MAX_REQUEST_BODY_SIZE: intFromEnv('MAX_REQUEST_BODY_SIZE', 5 * MiB, 1024, apiGatewayPayloadLimitBytes),
    /** Local stack only (on AWS the API Gateway stage throttles): requests per second per route. */
    THROTTLE_RATE_LIMIT: intFromEnv('THROTTLE_RATE_LIMIT', 100, 1, 100_000),
    THROTTLE_BURST_LIMIT: intFromEnv('THROTTLE_BURST_LIMIT', 200, 1, 100_000),
    /**
     * Local stack only (on AWS the table's stream reports TTL deletes): seconds between sweeps for
     * uploads that expired untouched (`bin/local/expiry-sweeper.ts`).
     */
    EXPIRY_SWEEP_SECONDS: intFromEnv('EXPIRY_SWEEP_SECONDS', 60, 1, 86_400),
    PII_POLICY: z
      .enum(['report', 'reject'], { error: 'PII_POLICY must be report or reject' })
      .default('report'),
    SECRETS_POLICY: z
      .enum(['report', 'reject'], { error: 'SECRETS_POLICY must be report or reject' })
      .default('report'),
    UNSCANNABLE_POLICY: z
      .enum(['quarantine', 'reject', 'report'], {
        error: 'UNSCANNABLE_POLICY must be quarantine, reject or report',
      })
      .default('quarantine'),
    /** What a file the malware scanner could not scan (`not_scanned`, `error`) gets. */
    MALWARE_UNSCANNED_POLICY: z
      .enum(['quarantine', 'reject', 'report'], {
        error: 'MALWARE_UNSCANNED_POLICY must be quarantine, reject or report',
      })
      .default('quarantine'),
    /** `sample`: Amazon Comprehend's DetectPiiEntities on a sample of each dataset (AWS). */
    COMPREHEND_PII: z
      .enum(['off', 'sample'], { error: 'COMPREHEND_PII must be off or sample' })
      .default('off'),
    /** Read by the logger at each line; validated here so a typo fails fast instead of logging at info. */
    LOG_LEVEL: z
      .enum(['debug', 'info', 'warn', 'error'], { error: 'LOG_LEVEL must be debug, info, warn or error' })
      .optional(),
    /** Local stack only: the emulators' endpoints. Unset on AWS. */
    DYNAMODB_ENDPOINT: z.url({ error: 'DYNAMODB_ENDPOINT must be a URL' }).optional(),
    S3_ENDPOINT: z.url({ error: 'S3_ENDPOINT must be a URL' }).optional(),
    /**
     * What makes a conditional object write (schema registration) atomic: `native` is S3's
     * If-None-Match, across every process; `in-process` takes turns in this process, for a store
     * that ignores the header (s3rver) and has this process as its only writer. Only the local
     * stack sets `in-process`; another S3-compatible endpoint keeps `native`.
     */
    S3_CONDITIONAL_WRITES: z
      .enum(['native', 'in-process'], { error: 'S3_CONDITIONAL_WRITES must be native or in-process' })
      .default('native'),
  })
  .refine((env) => env.MAX_REQUEST_BODY_SIZE >= env.CHUNK_SIZE + multipartOverheadBytes, {
    path: ['MAX_REQUEST_BODY_SIZE'],
    error: `MAX_REQUEST_BODY_SIZE must be at least CHUNK_SIZE + ${multipartOverheadBytes} (a chunk request carries a whole chunk plus its form)`,
  });

export interface Config {
  tableName: string;
  bucketName: string;
  stateMachineArn?: string;
  chunkSizeBytes: number;
  maxUploadSizeBytes: number;
  sessionTtlMs: number;
  completeWaitMs: number;
  resultRetentionMs: number;
  maxOpenUploadsPerOwner: number;
  maxChunkCount: number;
  maxRequestBodyBytes: number;
  /** The local stack's token bucket per route: refill rate (per second) and size. */
  throttleRateLimitPerSecond: number;
  throttleBurstLimit: number;
  /** The local stack's expiry sweep: milliseconds between sweeps. */
  expirySweepMs: number;
  piiPolicy: 'report' | 'reject';
  secretsPolicy: 'report' | 'reject';
  unscannablePolicy: 'quarantine' | 'reject' | 'report';
  malwareUnscannedPolicy: 'quarantine' | 'reject' | 'report';
  comprehendPii: 'off' | 'sample';
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  s3ConditionalWrites: 'native' | 'in-process';
}

/** Thrown when the environment does not hold a valid configuration. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    tableName: e.TABLE_NAME,
    bucketName: e.BUCKET_NAME,
    stateMachineArn: e.STATE_MACHINE_ARN,
    chunkSizeBytes: e.CHUNK_SIZE,
    maxUploadSizeBytes: e.MAX_UPLOAD_SIZE,
    sessionTtlMs: Math.round(e.SESSION_TTL_HOURS * 3600_000),
    completeWaitMs: Math.round(e.COMPLETE_WAIT_SECONDS * 1000),
    resultRetentionMs: e.RESULT_RETENTION_DAYS * 86_400_000,
    maxOpenUploadsPerOwner: e.MAX_OPEN_UPLOADS_PER_OWNER,
    maxChunkCount: e.MAX_CHUNK_COUNT,
    maxRequestBodyBytes: e.MAX_REQUEST_BODY_SIZE,
    throttleRateLimitPerSecond: e.THROTTLE_RATE_LIMIT,
    throttleBurstLimit: e.THROTTLE_BURST_LIMIT,
    expirySweepMs: e.EXPIRY_SWEEP_SECONDS * 1000,
    piiPolicy: e.PII_POLICY,
    secretsPolicy: e.SECRETS_POLICY,
    unscannablePolicy: e.UNSCANNABLE_POLICY,
    malwareUnscannedPolicy: e.MALWARE_UNSCANNED_POLICY,
    comprehendPii: e.COMPREHEND_PII,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    s3Endpoint: e.S3_ENDPOINT,
    s3ConditionalWrites: e.S3_CONDITIONAL_WRITES,
  };
}
