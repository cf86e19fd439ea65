/**
 * Analysis benchmark: the one streaming pass (`analyzeFile`) over generated chat JSONL files of
 * 1 GiB and 4 GiB, beside Node's own sha256 over the same file in the same run. Each measurement
 * runs in its own child process so its peak RSS is its own. The pass runs once per thread count
 * (`AnalysisOptions.threads`: 1 is all on one thread, 2 adds the scan thread); CPU seconds are
 * printed beside wall-clock throughput, since other work on the machine slows the wall clock.
 * A floor row per `--floor-workers` count measures the least any JSON-validating pass does:
 * sha256 plus `JSON.parse` of every line on worker threads, nothing else (`parse-floor.ts`).
 *
 *   npm run bench:analysis                 # 1 GiB and 4 GiB, 1 and 2 threads
 *   npm run bench:analysis -- --sizes 0.25 --threads 2 # a quick run
 *   npm run bench:analysis -- --skip-clamav # without the ClamAV row (measured when clamd is installed)
 *
 * Files are generated once under the OS temp folder and removed at the end (`--keep` keeps them).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findExecutable, hasSignatures, startClamd } from '../lambdas/adapters/clamav/clamd-process.js';
import { ClamdScanner } from '../lambdas/adapters/clamav/clamd-scanner.js';
import { analyzeFile } from '../lambdas/analysis/analyze-file.js';
import { CLAMAV_MAX_SCANNABLE_BYTES } from '../lambdas/analysis/scan/virus-types.js';
import type { RangedReader } from '../lambdas/analysis/types.js';
import { writeEicarDatabase } from '../test/support/clamav.js';
import { parseFloor } from './parse-floor.js';
import { table } from './report.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const readChunkBytes = MiB;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,4' },
    threads: { type: 'string', default: '1,2' },
    /** Worker threads of the floor rows (sha256 + JSON.parse of every line only); '' for none. */
    'floor-workers': { type: 'string', default: '1,2' },
    keep: { type: 'boolean', default: false },
    /** Skip measuring ClamAV (clamd) on the same file (measured when clamd is installed). */
    'skip-clamav': { type: 'boolean', default: false },
    measure: { type: 'string' },
    file: { type: 'string' },
  },
});

const words =
  'the a model data train token learn answer question context summary example value result system'.split(' ');

/** A deterministic, varied chat example (about 600 bytes). */
function example(i: number): string {
  const pick = (n: number) =>
    Array.from({ length: n }, (_, k) => words[(i * 7 + k * 13) % words.length]).join(' ');
  return `${JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a helpful assistant for question answering.' },
      { role: 'user', content: `Question ${i}: ${pick(30)}?` },
      { role: 'assistant', content: `Answer ${i}: ${pick(60)}.` },
    ],
  })}\n`;
}

async function generate(path: string, bytes: number): Promise<void> {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const out = createWriteStream(path);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const batch: string[] = [];
    for (let k = 0; k < 2000; k++) batch.push(example(i++));
    const buffer = Buffer.from(batch.join(''));
    written += buffer.length;
    if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

function fileReader(path: string, size: number): RangedReader {
  return {
    size,
    async read(offset, length) {
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        await handle.read(buffer, 0, buffer.length, offset);
        return buffer;
      } finally {
        await handle.close();
      }
    },
  };
}

/** Child process: one measurement, printed as JSON. */
async function measure(mode: string, path: string, threads: number): Promise<void> {
  const size = statSync(path).size;
  const atStart = process.resourceUsage();
  const cpuAtStart = (atStart.userCPUTime + atStart.systemCPUTime) / 1e6;
  const stream = () => createReadStream(path, { highWaterMark: readChunkBytes });
  const started = performance.now();
  let recordCount = 0;
  if (mode === 'sha256') {
    const hash = createHash('sha256');
    for await (const chunk of stream()) hash.update(chunk as Buffer);
    hash.digest('hex');
  } else if (mode === 'floor') {
    const floor = await parseFloor(path, threads);
    recordCount = floor.records;
    if (floor.invalid > 0) throw new Error(`the floor pass found ${floor.invalid} invalid lines`);
  } else if (mode === 'clamav') {
    const scan = await scanWithClamd(path, size);
    if (scan.status !== 'clean')
      throw new Error(`ClamAV did not scan the file clean: ${JSON.stringify(scan)}`);
  } else {
    const report = await analyzeFile({
      stream: stream(),
      reader: fileReader(path, size),
      filename: 'train.jsonl',
      options: { threads },
    });
    recordCount = report.dataset?.recordCount ?? 0;
    if (!report.valid)
      throw new Error(`generated file reported invalid: ${JSON.stringify(report.findings.errors[0])}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  // CPU time of the whole process (all threads) while the pass ran, imports excluded.
  const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6 - cpuAtStart;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds, size, recordCount, maxRssKiB: usage.maxRSS }));
}

interface Measurement {
  seconds: number;
  cpuSeconds: number;
  size: number;
  recordCount: number;
  maxRssKiB: number;
}

function runChild(mode: string, path: string, threads = 1): Measurement {
  const output = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/analysis-throughput.ts',
      '--measure',
      mode,
      '--file',
      path,
      '--threads',
      String(threads),
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      maxBuffer: 16 * MiB,
    },
  );
  return JSON.parse(output) as Measurement;
}

/**
 * ClamAV's throughput on the same file: clamd (started like the local stack starts it) fed by
 * the project's INSTREAM client. Its signatures: the official ones when /var/lib/clamav has them,
 * else only the tests' EICAR body signature - which measures the stream and ClamAV's file-type
 * and archive handling, not the cost of matching a full database (say so with the numbers).
 */
let clamavSignatures = 'not measured';
async function scanWithClamd(path: string, size: number) {
  const official = hasSignatures('/var/lib/clamav');
  const dir = await mkdtemp(join(tmpdir(), 'clamav-bench-'));
  const databaseDir = official ? '/var/lib/clamav' : await writeEicarDatabase(dir);
  const clamd = await startClamd({ databaseDir });
  try {
    const scanner = new ClamdScanner(clamd.address, { timeoutMs: 3600_000 });
    return await scanner.scan(createReadStream(path, { highWaterMark: readChunkBytes }), size);
  } finally {
    await clamd.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = (values.sizes ?? '1,4').split(',').map(Number);
  const measureClamav = !values['skip-clamav'] && findExecutable('clamd') !== undefined;
  if (!values['skip-clamav'] && !measureClamav)
    process.stderr.write(
      'clamd is not installed: ClamAV is not measured (sudo apt-get install -y clamav-daemon)\n',
    );
  clamavSignatures = hasSignatures('/var/lib/clamav')
    ? 'official signatures in /var/lib/clamav'
    : 'one test signature only: not the cost of a full database';
  const threadCounts = (values.threads ?? '1,2').split(',').map(Number);
  const floorWorkers = (values['floor-workers'] ?? '')
    .split(',')
    .filter((count) => count !== '')
    .map(Number);
  const rows: string[][] = [];
  const files: string[] = [];
  for (const gib of sizes) {
    const path = join(tmpdir(), `analysis-bench-${gib}gib.jsonl`);
    files.push(path);
    process.stderr.write(`generating ${gib} GiB of chat JSONL at ${path}...\n`);
    await generate(path, gib * GiB);
    const sha = runChild('sha256', path);
    const mbps = (m: Measurement) => m.size / MiB / m.seconds;
    const load = () => loadavg()[0]?.toFixed(2) ?? '';
    rows.push([
      `${gib} GiB`,
      'sha256 (node:crypto)',
      mbps(sha).toFixed(0),
      sha.cpuSeconds.toFixed(1),
      (sha.maxRssKiB / 1024).toFixed(0),
      '',
      '',
      load(),
    ]);
    for (const workers of floorWorkers) {
      const floor = runChild('floor', path, workers);
      rows.push([
        `${gib} GiB`,
        `floor: sha256 + JSON.parse of every line on ${workers} worker${workers === 1 ? '' : 's'}, nothing else`,
        mbps(floor).toFixed(0),
        floor.cpuSeconds.toFixed(1),
        (floor.maxRssKiB / 1024).toFixed(0),
        (mbps(floor) / mbps(sha)).toFixed(2),
        String(floor.recordCount),
        load(),
      ]);
    }
    if (measureClamav) {
      if (statSync(path).size > CLAMAV_MAX_SCANNABLE_BYTES) {
        rows.push([
          `${gib} GiB`,
          'ClamAV clamd INSTREAM',
          'over 2 GiB - 1: not scannable',
          '',
          '',
          '',
          '',
          load(),
        ]);
      } else {
        const clamav = runChild('clamav', path);
        rows.push([
          `${gib} GiB`,
          `ClamAV clamd INSTREAM (${clamavSignatures})`,
          mbps(clamav).toFixed(0),
          clamav.cpuSeconds.toFixed(1),
          (clamav.maxRssKiB / 1024).toFixed(0),
          (mbps(clamav) / mbps(sha)).toFixed(2),
          '',
          load(),
        ]);
      }
    }
    for (const threads of threadCounts) {
      const analysis = runChild('analyze', path, threads);
      rows.push([
        `${gib} GiB`,
        `analyzeFile, ${threads} thread${threads === 1 ? '' : 's'}`,
        mbps(analysis).toFixed(0),
        analysis.cpuSeconds.toFixed(1),
        (analysis.maxRssKiB / 1024).toFixed(0),
        (mbps(analysis) / mbps(sha)).toFixed(2),
        String(analysis.recordCount),
        load(),
      ]);
    }
  }
  const cpu = cpus();
  process.stdout.write(
    `\nMachine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, Node ${process.version}\n\n${table(
      ['file', 'pass', 'MiB/s', 'CPU s', 'peak RSS MiB', 'vs sha256', 'records', 'load avg (1 min)'],
      rows,
    )}\n`,
  );
  if (!values.keep) for (const path of files) await rm(path, { force: true });
}

if (values.measure && values.file) await measure(values.measure, values.file, Number(values.threads));
else await main();
