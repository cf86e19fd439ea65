/** Runs `npm start`'s entry point as a real child process, as a user would, for crash tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface ChildStack {
  child: ChildProcess;
  url: string;
  s3Endpoint: string;
  output: () => string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((closed) => server.close(() => closed()));
  return port;
}

/** Starts `bin/local.ts` and resolves once it prints its URL. */
export async function startChildStack(env: Record<string, string>, timeoutMs = 60_000): Promise<ChildStack> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
    // Throttling as high as the in-process test stack's (`unthrottled` in local-stack.ts).
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      THROTTLE_RATE_LIMIT: '100000',
      THROTTLE_BURST_LIMIT: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => {
    output += data.toString();
  });
  return new Promise((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`local stack did not start:\n${output}`)), timeoutMs);
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const s3Endpoint = /S3 \(s3rver\):\s+(http:\/\/\S+)/.exec(output)?.[1];
      if (url && s3Endpoint) {
        clearTimeout(timer);
        ready({ child, url, s3Endpoint, output: () => output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      failed(new Error(`local stack exited with ${code}:\n${output}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((exited) => child.once('exit', (code) => exited(code)));
}
