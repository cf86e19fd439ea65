/**
 * `npm start`: the local stack on http://localhost:8000 (PORT to change), data under ./.data
 * (DATA_DIR to change). Ctrl-C stops it cleanly; after any stop, even `kill -9`, a restart
 * resumes every upload where it stopped.
 */
import { startLocalStack } from './local/local-stack.js';

const port = Number(process.env.PORT ?? 8000);
const dataDir = process.env.DATA_DIR ?? '.data';
/** A stop that takes longer than this (a hung workflow task, a stuck emulator) is forced. */
const shutdownTimeoutMs = 15_000;

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(
    `PORT must be a port number from 0 to 65535, not ${JSON.stringify(process.env.PORT)}.\n`,
  );
  process.exit(1);
}

try {
  const stack = await startLocalStack({ dataDir, port });
  const lines = [
    '',
    `Resumable upload API listening on ${stack.url} (data in ${dataDir}/)`,
    `  DynamoDB (dynalite): ${stack.dynamodbEndpoint}  table ${stack.tableName}`,
    `  S3 (s3rver):         ${stack.s3Endpoint}  bucket ${stack.bucketName}`,
    `  Malware scanning:    ${stack.malwareScanning}`,
    stack.authMode === 'jwt'
      ? '  Auth:                AUTH_MODE=jwt, send "Authorization: Bearer $(npm run -s token -- --sub <user>)"'
      : '  Auth:                AUTH_MODE=none, every request is the implicit user "local"',
    `  Events:              ${dataDir}/events.jsonl  fine-tuning jobs: ${dataDir}/fine-tuning-jobs.jsonl`,
    `  Curation webhook:    ${process.env.CURATION_WEBHOOK_URL ?? 'none (set CURATION_WEBHOOK_URL and CURATION_WEBHOOK_SECRET)'}`,
    ...(stack.resumed.length > 0
      ? [`  Resumed ${stack.resumed.length} interrupted completion workflow(s)`]
      : []),
    '',
    'Try:',
    `  curl -X POST ${stack.url}/api/upload/init -H "Content-Type: application/json"${
      stack.authMode === 'jwt' ? ' -H "Authorization: Bearer $(npm run -s token -- --sub alice)"' : ''
    } -d '{"filename": "test.jsonl", "totalSize": 1024}'`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stderr.write(lines.join('\n'));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping (waiting for running workflows)...\n`);
    setTimeout(() => {
      process.stderr.write(
        `Still not stopped after ${shutdownTimeoutMs / 1000} s; exiting anyway. Unfinished workflows resume at the next start.\n`,
      );
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    stack.stop().then(
      () => {
        process.stderr.write('Stopped.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'EADDRINUSE'
      ? `Port ${port} is in use. Stop what runs there or start with PORT=<other port> npm start.`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`Could not start the local stack: ${message}\n`);
  process.exit(1);
}
