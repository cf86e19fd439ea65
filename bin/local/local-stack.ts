/**
 * The whole system in one process: dynalite and s3rver persisting under the data directory, the
 * synthesized completion state machine run by aws-local-stepfunctions, the API Gateway
 * stand-in serving the same handlers, and the expiry sweep that stands in for the table's stream. Used by `npm start` and by the end-to-end tests.
 */
import './polyfills.js';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes } from '../../lambdas/routes.js';
import { loadConfig } from '../../lambdas/runtime/config.js';
import { getDeps, overrideDeps, resetDeps } from '../../lambdas/runtime/deps.js';
import { loadDownstreamConfig } from '../../lambdas/runtime/downstream.js';
import { createLogger } from '../../lambdas/runtime/logger.js';
import { loadScannerEnv } from '../../lambdas/runtime/malware-scanner.js';
import { synthesizeCompletionAsl } from '../../lib/local-asl.js';
import { createApiGatewayServer, loadRoutes } from './api-gateway-server.js';
import { startEmulators } from './emulators.js';
import { startExpirySweeper } from './expiry-sweeper.js';
import { createAuthenticator, loadLocalAuthSettings } from './local-auth.js';
import { type LocalMalwareScanning, startMalwareScanning } from './malware-scanning.js';
import { LocalWorkflowRunner, loadTaskHandlers } from './workflow-runner.js';

// The pinned SDK supports Node 20; its notice about future SDK releases needing Node 22 is not
// actionable for someone running the local stack, so it is not printed here (Lambda runs Node 22+).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface LocalStackOptions {
  /** Where dynalite, s3rver and the execution journal keep their data. */
  dataDir: string;
  /** HTTP port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Settings passed to the handlers as environment variables (CHUNK_SIZE, ...), over `process.env`. */
  env?: Record<string, string>;
}

export interface LocalStack {
  url: string;
  port: number;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucketName: string;
  /** `none` (one implicit user, `local`) or `jwt` (verified bearer tokens). */
  authMode: 'none' | 'jwt';
  runner: LocalWorkflowRunner;
  /** Interrupted executions that were started again. */
  resumed: string[];
  /** Which malware scanner the workflow uses (one line for the start banner). */
  malwareScanning: string;
  stop(): Promise<void>;
}

export const localNames = { tableName: 'uploads', bucketName: 'uploads' };

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = createLogger({ service: 'local-stack' });
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const emulators = await startEmulators({ dataDir, ...localNames });

  // The handlers read their configuration from the environment, exactly as in Lambda. What was
  // there before is put back at stop, so stacks started one after another in one process (the
  // tests) do not inherit each other's settings.
  const settings = {
    // Events and fine-tuning jobs go to files next to the emulators' data (docs/events.md); a
    // curation webhook is delivered when CURATION_WEBHOOK_URL and CURATION_WEBHOOK_SECRET are set.
    EVENTS_FILE: join(dataDir, 'events.jsonl'),
    FINE_TUNING_JOBS_FILE: join(dataDir, 'fine-tuning-jobs.jsonl'),
    ...options.env,
    TABLE_NAME: localNames.tableName,
    BUCKET_NAME: localNames.bucketName,
    DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
    S3_ENDPOINT: emulators.s3Endpoint,
    // s3rver ignores If-None-Match; this process is its only writer (s3-object-store.ts).
    S3_CONDITIONAL_WRITES: 'in-process',
  };
  const previousEnv = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  const restoreEnv = () => {
    for (const [name, value] of Object.entries(previousEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  Object.assign(process.env, settings);
  // A start that fails part-way stops what it started and puts the environment back: no clamd or
  // emulator outlives it, and the next stack in the process starts clean.
  let malwareScanning: LocalMalwareScanning | undefined;
  try {
    // Fail fast on a bad setting, naming the variable, before starting clamd.
    loadConfig(process.env);
    loadDownstreamConfig(process.env);
    loadScannerEnv(process.env);
    const authSettings = loadLocalAuthSettings(process.env);
    const scanning = await startMalwareScanning(log);
    malwareScanning = scanning;
    const config = loadConfig(process.env); // with the scanner's policy default
    resetDeps();

    const [definition, taskHandlers, compiledRoutes] = await Promise.all([
      synthesizeCompletionAsl(),
      loadTaskHandlers(projectRoot),
      loadRoutes(routes, projectRoot),
    ]);
    const runner = new LocalWorkflowRunner(definition, taskHandlers, join(dataDir, 'executions'), log);
    overrideDeps({ workflow: runner });
    const resumed = await runner.resumeInterrupted();

    const server = createApiGatewayServer(compiledRoutes, log, {
      authenticate: createAuthenticator(authSettings),
      throttle: {
        rateLimitPerSecond: config.throttleRateLimitPerSecond,
        burstLimit: config.throttleBurstLimit,
      },
    });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((listening, failed) => {
      server.once('error', failed);
      server.listen(options.port, host, () => listening());
    });
    const port = (server.address() as AddressInfo).port;
    // dynalite has no TTL and no streams: this sweep stands in for the table's stream (docs/events.md).
    const sweeper = startExpirySweeper(getDeps, config.expirySweepMs, log);

    return {
      url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`,
      port,
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      s3Endpoint: emulators.s3Endpoint,
      ...localNames,
      authMode: authSettings.mode,
      runner,
      resumed,
      malwareScanning: scanning.description,
      async stop() {
        server.closeAllConnections();
        await new Promise<void>((closed) => server.close(() => closed()));
        await sweeper.stop();
        await runner.idle();
        await scanning.stop();
        await emulators.stop();
        restoreEnv();
      },
    };
  } catch (error) {
    await malwareScanning?.stop();
    await emulators.stop();
    restoreEnv();
    throw error;
  }
}
