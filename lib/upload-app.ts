/**
 * The CDK app: the upload stack named `ResumableUploadStack`. Shared by `bin/app.ts` (which adds
 * the cdk-nag checks, see `nag-checks.ts`), the tests and the local stack's ASL (`local-asl.ts`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { projectRoot } from './upload-function.js';
import { UploadStack, type UploadStackProps } from './upload-stack.js';

/** The stack's name in CloudFormation. */
export const uploadStackName = 'ResumableUploadStack';

export interface UploadAppOptions {
  readonly appProps?: AppProps;
  readonly stackProps?: UploadStackProps;
}

/**
 * The `context` of `cdk.json` (feature flags). The CLI passes it to the app itself; an app built
 * in-process (tests, the local stack's ASL) gets it here, so both build the same template.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Stack props an operator may set at deploy time with `-c name=value` (numbers). */
export const contextPropNames = [
  'chunkSizeMiB',
  'maxUploadSizeGiB',
  'sessionTtlHours',
  'completeWaitSeconds',
  'resultRetentionDays',
  'throttleRateLimitPerSecond',
  'throttleBurstLimitRequests',
  'maxOpenUploadsPerOwner',
  'maxChunkCount',
  'maxRequestBodySizeMiB',
  'initThrottleRateLimitPerSecond',
  'initThrottleBurstLimitRequests',
  'curationWebhookMaxAttempts',
] as const;

/** Policy props an operator may set at deploy time with `-c name=value` (words). */
export const contextPolicyNames = [
  'piiPolicy',
  'secretsPolicy',
  'unscannablePolicy',
  'malwareUnscannedPolicy',
  'comprehendPii',
  'jwtIssuerUrl',
  'authorization',
  'fineTuningTarget',
  'curationWebhookUrl',
  'curationWebhookSecretArn',
  'alarmEmail',
  'alarmTopicArn',
] as const;

/** List props an operator may set with `-c name=a,b` (comma-separated). */
export const contextListNames = ['jwtAudience', 'corsAllowedOrigins'] as const;

/** Reads the settings given as CDK context (`cdk deploy -c chunkSizeMiB=2`); the stack validates them. */
function propsFromContext(app: App): UploadStackProps {
  const props: Record<string, number> = {};
  for (const name of contextPropNames) {
    const value: unknown = app.node.tryGetContext(name);
    if (value !== undefined) props[name] = Number(value);
  }
  const policies: Record<string, string> = {};
  for (const name of contextPolicyNames) {
    const value: unknown = app.node.tryGetContext(name);
    if (value !== undefined) policies[name] = String(value);
  }
  const lists: Record<string, string[]> = {};
  for (const name of contextListNames) {
    const value: unknown = app.node.tryGetContext(name);
    if (value === undefined) continue;
    lists[name] = Array.isArray(value)
      ? value.map(String)
      : String(value)
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean);
  }
  const customerManagedKey: unknown = app.node.tryGetContext('customerManagedKey');
  const flags =
    customerManagedKey === undefined ? {} : { customerManagedKey: String(customerManagedKey) === 'true' };
  return { ...props, ...policies, ...lists, ...flags } as UploadStackProps;
}

/** Builds the app with its one stack; returns both so tests can inspect them. */
export function createUploadApp(options: UploadAppOptions = {}): { app: App; stack: UploadStack } {
  // Context given by the CLI takes precedence over these props, so `cdk synth` is unaffected.
  const app = new App({
    ...options.appProps,
    context: { ...cdkJsonContext(), ...options.appProps?.context },
  });
  const stack = new UploadStack(app, uploadStackName, {
    description: 'Resumable, chunked upload API for AI datasets and model artifacts',
    ...propsFromContext(app),
    ...options.stackProps,
  });
  return { app, stack };
}
