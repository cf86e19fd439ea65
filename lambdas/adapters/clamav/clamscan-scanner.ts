/**
 * A {@link MalwareScanner} that pipes the file into the `clamscan` CLI (`clamscan -`): the
 * fallback when no clamd runs. It loads the signature database on every scan, so it is slow to
 * start with the full official database, and clamscan itself spools stdin to a temporary file.
 * Exit codes: 0 clean, 1 found, 2 an error.
 */
import { execFile, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import {
  CLAMAV_MAX_SCAN_SIZE_BYTES,
  CLAMAV_MAX_SCANNABLE_BYTES,
  type VirusScan,
} from '../../analysis/scan/virus-types.js';
import type { MalwareScanner } from '../../core/ports.js';
import { type EngineVersion, interpretReply, parseVersion, tooLarge } from './clamav-verdict.js';
import { SourceStreamError } from './clamd-client.js';
import { megabytes } from './clamd-process.js';

export interface ClamscanScannerOptions {
  /** The clamscan binary. */
  path: string;
  /** A signature directory (`-d`); the default is clamscan's own (`/var/lib/clamav`). */
  databaseDir?: string;
  timeoutMs: number;
  maxBytes?: number;
}

export class ClamscanScanner implements MalwareScanner {
  readonly maxBytes: number;

  constructor(private readonly options: ClamscanScannerOptions) {
    this.maxBytes = Math.min(options.maxBytes ?? CLAMAV_MAX_SCANNABLE_BYTES, CLAMAV_MAX_SCANNABLE_BYTES);
  }

  private get databaseArgs(): string[] {
    return this.options.databaseDir ? ['-d', this.options.databaseDir] : [];
  }

  private async version(): Promise<EngineVersion> {
    try {
      const { stdout } = await promisify(execFile)(this.options.path, [...this.databaseArgs, '--version'], {
        timeout: 10_000,
      });
      return parseVersion(stdout);
    } catch {
      return { engine: null, signatures: null };
    }
  }

  async scan(stream: Readable, size: number): Promise<VirusScan> {
    // A failing source is not clamscan's verdict: kept here (an errored stream is already
    // destroyed by the time the pipeline reports it) and rethrown after clamscan exits.
    let sourceError: unknown;
    stream.on('error', (error) => {
      sourceError = error;
    });
    const version = await this.version();
    if (size > this.maxBytes) {
      stream.destroy();
      return tooLarge(size, this.maxBytes, version);
    }
    // As clamd's (clamd-process.ts): members are scanned up to ClamAV's own ceilings.
    const args = [
      ...this.databaseArgs,
      '--no-summary',
      '--stdout',
      '--alert-exceeds-max=yes',
      `--max-filesize=${megabytes(CLAMAV_MAX_SCANNABLE_BYTES)}`,
      `--max-scansize=${megabytes(CLAMAV_MAX_SCAN_SIZE_BYTES)}`,
      '-',
    ];
    const started = Date.now();
    const child = spawn(this.options.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr = (stderr + data).slice(-2000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, this.options.timeoutMs);
    const exited = new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
      child.once('error', (spawnError) => resolve({ code: null, spawnError }));
      child.once('close', (code) => resolve({ code }));
    });
    let sentBytes = 0;
    stream.on('data', (chunk: Buffer) => {
      sentBytes += chunk.length;
    });
    // clamscan may close stdin early (EPIPE): what it answers is the verdict, not the pipe's error.
    const piped = pipeline(stream, child.stdin).catch(() => undefined);
    const [, { code, spawnError }] = await Promise.all([piped, exited]);
    clearTimeout(timer);
    if (sourceError !== undefined) throw new SourceStreamError(sourceError);
    const extra = { scannedBytes: sentBytes, durationMs: Date.now() - started };
    const failed = (reason: string): VirusScan => ({
      ...version,
      status: 'error',
      threats: [],
      reason,
      ...extra,
    });
    if (spawnError)
      return failed(`clamscan could not be started (${this.options.path}): ${spawnError.message}.`);
    if (timedOut)
      return failed(`clamscan did not finish within ${this.options.timeoutMs} ms and was stopped.`);
    if (code === 0 || code === 1) return interpretReply(stdout, version, extra);
    return failed(
      `clamscan failed (exit code ${code}): ${stderr.trim().slice(0, 300) || stdout.trim().slice(0, 300)}.`,
    );
  }

  toString(): string {
    return `clamscan at ${this.options.path}`;
  }
}
