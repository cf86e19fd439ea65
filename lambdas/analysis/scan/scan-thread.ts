/**
 * PII and secret scanning of a JSONL dataset, and the file's sha256, on a worker thread beside
 * the pass: the calling thread parses the lines for the schema checks and statistics while the
 * worker parses the same bytes again for the scanners, which cost about as much as everything
 * else together.
 *
 * Why split by visitor, not by record: the scanners' result (counts, the first samples of each
 * type) depends only on the records and their lines, and the worker gets them from the same
 * parser over the same bytes, so the report is the same as in one thread by construction. Split
 * by record (batches of lines to N workers), every visitor's state would have to be merged in
 * line order: the first N findings, duplicates across batches, the token sample's reservoir, the
 * first-seen order of fields and labels under their caps. That buys more cores at the cost of a
 * merge for each of them; two threads is what the analysis function gets today.
 *
 * Memory is bounded: bytes go to the worker in batches of {@link batchBytes}, at most
 * {@link maxBatchesInFlight} not yet processed; `push` waits when the worker is behind.
 *
 * The worker runs this very module (`new Worker(import.meta.url)`): as compiled JavaScript, and
 * inside the esbuild bundle of the Lambda function (where `import.meta.url` is the bundle, and the
 * bundle holds this module's worker entry below), so no second entry point has to be built or
 * shipped; from source, a bundle of it made on the spot (see {@link workerOfThisModule}). A worker that fails makes the pass fail: an
 * unscanned dataset is never reported as clean.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createJsonlParser } from '../formats/jsonl-parser.js';
import type { AnalysisOptions } from '../types.js';
import { createRecordScanner } from './record-scanner.js';
import type { DetectionSummary } from './scan-types.js';

/** Bytes handed to the worker per message (chunks from S3 are far smaller; a message costs). */
export const batchBytes = 1024 * 1024;
/** Batches sent and not yet processed before `push` waits. */
export const maxBatchesInFlight = 4;

/** What the worker thread found; the same as `RecordScanner` and sha256 on the calling thread. */
export interface ScanThreadResult {
  sha256: string;
  pii: DetectionSummary;
  secrets: DetectionSummary;
}

/**
 * The worker's young generation: its garbage is a line's string and parsed record at a time, so
 * a small nursery costs little in collections and keeps about 10 MiB off the peak RSS (the
 * default is sized for the main thread).
 */
const workerYoungGenerationMiB = 8;

const workerKind = 'analysis-scan-thread';

interface ScanThreadData {
  kind: typeof workerKind;
  options: AnalysisOptions;
}

type ToWorker = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'end' };
type FromWorker =
  | { kind: 'processed' }
  | { kind: 'done'; result: ScanThreadResult }
  | { kind: 'failed'; message: string };

/** The calling thread's side: feeds the worker and waits for its result. */
export class ScanThread {
  private batch = Buffer.allocUnsafeSlow(batchBytes);
  private batchLength = 0;
  private inFlight = 0;
  private resume: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly result: Promise<ScanThreadResult>;

  private constructor(private readonly worker: Worker) {
    this.result = new Promise<ScanThreadResult>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'processed') {
          this.inFlight--;
          this.wake();
        } else if (message.kind === 'done') resolve(message.result);
        else this.fail(new Error(`The scan thread failed: ${message.message}`), reject);
      });
      worker.on('error', (error) => this.fail(error, reject));
      worker.on('exit', (code) =>
        this.fail(new Error(`The scan thread exited (code ${code}) before its result.`), reject),
      );
    });
    // Awaited in `finish`; until then a failure must not count as unhandled.
    this.result.catch(() => undefined);
  }

  /** Starts the worker with the options of the pass (the JSONL parser reads its limits there). */
  static start(options: AnalysisOptions): ScanThread {
    const data: ScanThreadData = { kind: workerKind, options };
    return new ScanThread(workerOfThisModule(data));
  }

  /** Hands bytes over in order; resolves when the worker has room for more. */
  async push(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.failure) throw this.failure;
      const take = Math.min(bytes.length - offset, batchBytes - this.batchLength);
      this.batch.set(bytes.subarray(offset, offset + take), this.batchLength);
      this.batchLength += take;
      offset += take;
      if (this.batchLength === batchBytes) await this.send();
    }
  }

  /** No more bytes: the worker's sha256 and scan summaries. Stops the worker. */
  async finish(): Promise<ScanThreadResult> {
    try {
      if (this.batchLength > 0) await this.send();
      this.post({ kind: 'end' });
      return await this.result;
    } finally {
      await this.stop();
    }
  }

  /** Stops the worker without a result (the pass failed elsewhere). */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private async send(): Promise<void> {
    const bytes =
      this.batchLength === this.batch.length ? this.batch : this.batch.subarray(0, this.batchLength);
    // The batch's memory moves to the worker (no copy); a fresh one takes its place.
    this.post({ kind: 'bytes', bytes }, [bytes.buffer as ArrayBuffer]);
    this.batch = Buffer.allocUnsafeSlow(batchBytes);
    this.batchLength = 0;
    this.inFlight++;
    while (this.inFlight >= maxBatchesInFlight && !this.failure) {
      await new Promise<void>((resolve) => {
        this.resume = resolve;
      });
    }
    if (this.failure) throw this.failure;
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(message, transfer);
  }

  private fail(error: Error, reject: (error: Error) => void): void {
    this.failure ??= error;
    reject(this.failure);
    this.wake();
  }

  private wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }
}

/**
 * A worker running this module. Compiled or bundled, that is `import.meta.url` itself. From
 * source (a `.ts` module: tests, the local stack, the benchmark), Node 20 does not apply the
 * parent's `--import tsx` hooks to a worker's entry module, and a worker with its own tsx loader
 * costs about 20 MiB more; so this module is bundled once per process with esbuild (a dev
 * dependency, there whenever TypeScript runs from source) and the worker runs that bundle, as the
 * Lambda function's worker runs the function's bundle.
 */
function workerOfThisModule(data: ScanThreadData): Worker {
  const options = {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMiB },
  };
  const url = import.meta.url.endsWith('.ts') ? sourceBundleUrl() : new URL(import.meta.url);
  return new Worker(url, options);
}

let sourceBundle: URL | undefined;

function sourceBundleUrl(): URL {
  if (sourceBundle) return sourceBundle;
  // Required when called, not imported: the Lambda bundle must not pull esbuild in.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const built = esbuild.buildSync({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const code = built.outputFiles[0]?.text ?? '';
  sourceBundle = new URL(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return sourceBundle;
}

/** The worker's side: the same JSONL parser and record scanner as the calling thread's pass. */
function serve(port: NonNullable<typeof parentPort>, data: ScanThreadData): void {
  const hash = createHash('sha256');
  const scanner = createRecordScanner();
  // The calling thread reports the parser's findings; here only the records matter.
  const parser = createJsonlParser({ visitors: [scanner], findings: { report() {} }, options: data.options });
  port.on('message', (message: ToWorker) => {
    try {
      if (message.kind === 'bytes') {
        hash.update(message.bytes);
        parser.push(message.bytes);
        port.postMessage({ kind: 'processed' } satisfies FromWorker);
        return;
      }
      parser.end();
      const result: ScanThreadResult = {
        sha256: hash.digest('hex'),
        pii: scanner.pii(),
        secrets: scanner.secrets(),
      };
      port.postMessage({ kind: 'done', result } satisfies FromWorker);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      port.postMessage({ kind: 'failed', message: text } satisfies FromWorker);
    }
  });
}

if (!isMainThread && parentPort && (workerData as Partial<ScanThreadData> | null)?.kind === workerKind) {
  serve(parentPort, workerData as ScanThreadData);
}
