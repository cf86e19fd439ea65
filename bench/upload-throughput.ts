/**
 * Upload throughput of the local stack (`npm run bench`, by hand; never part of `npm test`).
 *
 * Runs in one process, with everything on 127.0.0.1 and its data in temp folders removed at the end:
 * 1. ceiling: the same multipart chunk requests, sent by the same client, to a trivial node:http
 *    server that discards the body - what loopback HTTP and the client cost on their own;
 * 2. upload: a generated file through `POST /api/upload/chunk` with 1, 4 and 8 requests in flight
 *    (a fresh upload each), then `complete` until the workflow's result, checking the published size;
 * 3. status: the latency of `GET /api/upload/status/{id}` on an upload of 10,000 small chunks.
 *
 * The ceiling runs first so its RSS is not the stack's: `maxRSS` only ever grows.
 *
 *   npm run bench -- --size-mib 64 --parallel 1,8 --status-chunks 2000
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type LocalStack, startLocalStack } from '../bin/local/local-stack.js';
import { GeneratedFile } from './generated-file.js';
import { type BenchClient, type ClientKind, createClient } from './loopback-client.js';
import { maxRss, measured, percentile, type Row, table } from './report.js';

const MiB = 1024 * 1024;

const usage = `Usage: npm run bench -- [options]
  --size-mib <n>           size of the generated file (default 256)
  --chunk-size <bytes>     CHUNK_SIZE of the upload runs (default 1048576, at most 4194304)
  --parallel <list>        requests in flight, comma-separated (default 1,4,8)
  --status-chunks <n>      chunks of the status-latency upload, 0 to skip (default 10000)
  --status-chunk-size <b>  CHUNK_SIZE of the status-latency upload (default 1024)
  --status-calls <n>       timed status calls (default 20)
  --complete-timeout <s>   longest wait for one upload's completion (default 600)
  --client <http|fetch>    node:http with keep-alive (default), or fetch + FormData`;

interface Options {
  sizeBytes: number;
  chunkSize: number;
  parallel: number[];
  statusChunks: number;
  statusChunkSize: number;
  statusCalls: number;
  completeTimeoutMs: number;
  client: ClientKind;
}

function positiveInt(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}`);
  return value;
}

function readOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '256' },
      'chunk-size': { type: 'string', default: String(MiB) },
      parallel: { type: 'string', default: '1,4,8' },
      'status-chunks': { type: 'string', default: '10000' },
      'status-chunk-size': { type: 'string', default: '1024' },
      'status-calls': { type: 'string', default: '20' },
      'complete-timeout': { type: 'string', default: '600' },
      client: { type: 'string', default: 'http' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  if (values.client !== 'http' && values.client !== 'fetch')
    throw new Error('--client must be http or fetch');
  return {
    sizeBytes: positiveInt('size-mib', values['size-mib']) * MiB,
    chunkSize: positiveInt('chunk-size', values['chunk-size'], 1024),
    parallel: values.parallel.split(',').map((n) => positiveInt('parallel', n.trim())),
    statusChunks: positiveInt('status-chunks', values['status-chunks'], 0),
    statusChunkSize: positiveInt('status-chunk-size', values['status-chunk-size'], 1024),
    statusCalls: positiveInt('status-calls', values['status-calls']),
    completeTimeoutMs: positiveInt('complete-timeout', values['complete-timeout']) * 1000,
    client: values.client,
  };
}

/** Runs `work` over `items` with at most `parallel` at once. */
async function inParallel<T>(items: readonly T[], parallel: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}

async function sendChunks(api: BenchClient, uploadId: string, file: GeneratedFile, parallel: number) {
  const indices = Array.from({ length: file.chunkCount }, (_, i) => i);
  await inParallel(indices, parallel, async (chunkIndex) => {
    const answer = await api.chunk(
      { uploadId, chunkIndex, totalChunks: file.chunkCount },
      file.chunk(chunkIndex),
    );
    if (answer.status !== 200) {
      throw new Error(`chunk ${chunkIndex} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  });
}

/** A trivial server that reads and discards every request body, answering a tiny JSON body. */
async function startDiscardServer() {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"success":true}');
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

async function ceiling(file: GeneratedFile, options: Options): Promise<Row[]> {
  const server = await startDiscardServer();
  const rows: Row[] = [];
  try {
    for (const parallel of options.parallel) {
      const api = createClient(options.client, server.url);
      const run = await measured(() => sendChunks(api, 'ceiling', file, parallel));
      api.close();
      rows.push({
        phase: 'ceiling: loopback POST',
        parallel,
        mib: file.size / MiB,
        ...run,
        maxRssKiB: maxRss(),
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

/** Starts a stack in its own temp folder; stacks run one at a time (the handlers' deps are per process). */
async function withStack<T>(
  env: Record<string, string>,
  work: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'upload-bench-'));
  let stack: LocalStack | undefined;
  try {
    // Unthrottled: the bench measures the stack, not the local token bucket (100 requests/s by default).
    const unthrottled = { THROTTLE_RATE_LIMIT: '100000', THROTTLE_BURST_LIMIT: '100000' };
    stack = await startLocalStack({ dataDir, port: 0, env: { LOG_LEVEL: 'warn', ...unthrottled, ...env } });
    return await work(stack);
  } finally {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Calls complete, then polls status while it answers `processing`; returns the final body. */
async function completeUpload(api: BenchClient, uploadId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let answer = await api.complete(uploadId);
  while (answer.status === 202 || answer.body.state === 'processing') {
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} still processing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const status = await api.status(uploadId);
    answer = { status: status.status, body: (status.body.result as Record<string, unknown>) ?? status.body };
  }
  return answer;
}

async function uploads(file: GeneratedFile, options: Options): Promise<Row[]> {
  const checksum = file.sha256();
  const rows: Row[] = [];
  await withStack({ CHUNK_SIZE: String(options.chunkSize) }, async (stack) => {
    for (const parallel of options.parallel) {
      // A fresh client per run: no warm sockets carried from one parallelism level to the next.
      const api = createClient(options.client, `http://127.0.0.1:${stack.port}`);
      const init = await api.init({ filename: 'bench.bin', totalSize: file.size, checksum });
      if (init.status !== 200) throw new Error(`init answered ${init.status}: ${JSON.stringify(init.body)}`);
      const uploadId = init.body.uploadId as string;
      const chunks = await measured(() => sendChunks(api, uploadId, file, parallel));
      rows.push({ phase: 'upload: chunks', parallel, mib: file.size / MiB, ...chunks, maxRssKiB: maxRss() });

      let body: Record<string, unknown> = {};
      const completion = await measured(async () => {
        body = (await completeUpload(api, uploadId, options.completeTimeoutMs)).body;
      });
      const metadata = body.metadata as { size?: number; checksum?: string } | null;
      if (body.state !== 'completed' || metadata?.size !== file.size || metadata.checksum !== checksum) {
        throw new Error(`upload ${uploadId} did not complete with the sent bytes: ${JSON.stringify(body)}`);
      }
      rows.push({
        phase: 'upload: complete',
        parallel,
        mib: file.size / MiB,
        ...completion,
        maxRssKiB: maxRss(),
      });
      api.close();
    }
  });
  return rows;
}

interface StatusLatency {
  chunks: number;
  chunkSize: number;
  uploadSeconds: number;
  calls: number;
  p50: number;
  p95: number;
  max: number;
}

async function statusLatency(options: Options): Promise<StatusLatency> {
  const file = new GeneratedFile(options.statusChunks * options.statusChunkSize, options.statusChunkSize);
  return withStack({ CHUNK_SIZE: String(options.statusChunkSize) }, async (stack) => {
    const api = createClient(options.client, `http://127.0.0.1:${stack.port}`);
    const init = await api.init({ filename: 'many-chunks.bin', totalSize: file.size });
    const uploadId = init.body.uploadId as string;
    const upload = await measured(() => sendChunks(api, uploadId, file, 8));
    const millis: number[] = [];
    for (let call = 0; call < options.statusCalls; call++) {
      const started = performance.now();
      const status = await api.status(uploadId);
      millis.push(performance.now() - started);
      const received = status.body.receivedChunks as unknown[] | undefined;
      if (status.status !== 200 || received?.length !== file.chunkCount) {
        throw new Error(`status answered ${status.status} with ${received?.length} chunks`);
      }
    }
    millis.sort((a, b) => a - b);
    api.close();
    return {
      chunks: file.chunkCount,
      chunkSize: file.chunkSize,
      uploadSeconds: upload.seconds,
      calls: millis.length,
      p50: percentile(millis, 50),
      p95: percentile(millis, 95),
      max: millis[millis.length - 1] ?? Number.NaN,
    };
  });
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options === undefined) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const cpu = cpus();
  process.stdout.write(
    [
      `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, node ${process.version}, ${process.platform}/${process.arch}`,
      `load average at start (1/5/15 min): ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' / ')}`,
      `client: ${options.client === 'http' ? 'node:http, keep-alive' : 'fetch + FormData'}`,
      `file: ${options.sizeBytes / MiB} MiB in ${Math.ceil(options.sizeBytes / options.chunkSize)} chunks of ${options.chunkSize} bytes; parallel ${options.parallel.join(', ')}`,
      '',
    ].join('\n'),
  );
  const file = new GeneratedFile(options.sizeBytes, options.chunkSize);
  const rows = [...(await ceiling(file, options)), ...(await uploads(file, options))];
  process.stdout.write(
    `${table(
      ['phase', 'parallel', 'MiB', 'seconds', 'MiB/s', 'RSS peak in row (MiB)', 'maxRSS so far (KiB)'],
      rows.map((row) => [
        row.phase,
        String(row.parallel),
        String(row.mib),
        row.seconds.toFixed(2),
        (row.mib / row.seconds).toFixed(1),
        row.rowRssMiB.toFixed(0),
        String(row.maxRssKiB),
      ]),
    )}\n\n`,
  );

  if (options.statusChunks > 0) {
    const status = await statusLatency(options);
    process.stdout.write(
      `${table(
        [
          'status latency',
          'chunks',
          'chunk bytes',
          'upload s',
          'chunks/s',
          'calls',
          'p50 ms',
          'p95 ms',
          'max ms',
        ],
        [
          [
            'GET /api/upload/status/{id}',
            String(status.chunks),
            String(status.chunkSize),
            status.uploadSeconds.toFixed(1),
            (status.chunks / status.uploadSeconds).toFixed(0),
            String(status.calls),
            status.p50.toFixed(1),
            status.p95.toFixed(1),
            status.max.toFixed(1),
          ],
        ],
      )}\n`,
    );
  }
  process.stdout.write(`\nprocess peak RSS (maxRSS): ${maxRss()} KiB\n`);
}

await main();
