/**
 * The floor of the analysis benchmark: the least work any pass that validates JSONL does in
 * Node.js, with nothing else - no schema rules, statistics, duplicate check, tokenizer or scanner.
 *
 * The main thread reads the file, hashes it (sha256) and copies the bytes into a few recycled
 * 4 MiB batches cut at line ends; `workers` worker threads check every line as UTF-8, decode it
 * and `JSON.parse` it (the fastest JSON validation Node.js has without a native addon). Batches
 * move between threads by transfer, not copy. This is the fastest arrangement measured on the
 * 2-core benchmark machine (fresh batch buffers, or one copy per batch, were 2.5 times slower).
 * Its throughput, set beside sha256's, shows how much room the 0.5x target leaves for the
 * validation itself (see docs/benchmarks.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';

const MiB = 1024 * 1024;
const batchBytes = 4 * MiB;

/** The worker: plain CommonJS, so it runs without a TypeScript loader. */
const workerSource = `
const { parentPort } = require('node:worker_threads');
const { isUtf8 } = require('node:buffer');
parentPort.on('message', ({ buffer, length }) => {
  const bytes = Buffer.from(buffer, 0, length);
  let records = 0;
  let invalid = 0;
  for (let start = 0; start < length; ) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = length;
    const line = bytes.subarray(start, end);
    if (line.length > 0) {
      if (isUtf8(line)) {
        try {
          JSON.parse(line.toString('utf8'));
          records++;
        } catch {
          invalid++;
        }
      } else invalid++;
    }
    start = end + 1;
  }
  parentPort.postMessage({ buffer, records, invalid }, [buffer]);
});`;

interface Returned {
  buffer: ArrayBuffer;
  records: number;
  invalid: number;
}

export interface FloorResult {
  sha256: string;
  records: number;
  invalid: number;
}

/** Reads `path` once: sha256 here, every line parsed on `workers` worker threads. */
export async function parseFloor(path: string, workers: number): Promise<FloorResult> {
  const threads = Array.from({ length: workers }, () => new Worker(workerSource, { eval: true }));
  const free = Array.from({ length: workers * 2 + 1 }, () => new ArrayBuffer(batchBytes + MiB));
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let next = 0;
  const result = { records: 0, invalid: 0 };
  const failures: Error[] = [];
  for (const thread of threads) {
    thread.on('error', (error) => {
      failures.push(error);
      // Wake every waiter: each sees the failure and throws instead of waiting for ever.
      for (const wake of waiting.splice(0)) wake();
    });
    thread.on('message', ({ buffer, records, invalid }: Returned) => {
      result.records += records;
      result.invalid += invalid;
      inFlight--;
      free.push(buffer);
      waiting.shift()?.();
    });
  }
  const until = async (ready: () => boolean) => {
    while (!ready()) {
      if (failures.length > 0) throw failures[0];
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  const takeBuffer = async () => {
    await until(() => free.length > 0);
    return Buffer.from(free.pop() as ArrayBuffer);
  };
  const send = (batch: Buffer, length: number) => {
    inFlight++;
    // Every batch is a view of one of the `free` ArrayBuffers (never a SharedArrayBuffer).
    const buffer = batch.buffer as ArrayBuffer;
    (threads[next++ % workers] as Worker).postMessage({ buffer, length }, [buffer]);
  };

  try {
    const hash = createHash('sha256');
    let batch = await takeBuffer();
    let filled = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      for (let offset = 0; offset < bytes.length; ) {
        const take = Math.min(bytes.length - offset, batch.length - filled);
        bytes.copy(batch, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled < batchBytes) continue;
        // Cut after the last line end; a line longer than the batch is cut where the batch ends.
        const cut = batch.lastIndexOf(10, filled - 1) + 1 || filled;
        const following = await takeBuffer();
        batch.copy(following, 0, cut, filled);
        send(batch, cut);
        filled -= cut;
        batch = following;
      }
    }
    if (filled > 0) send(batch, filled);
    await until(() => inFlight === 0);
    return { sha256: hash.digest('hex'), ...result };
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
