/**
 * Starting clamd with the project's own configuration (the local stack, the tests and the AWS
 * scanning function all use this): a Unix socket in a private temporary folder, the limits set
 * so nothing is silently skipped (`AlertExceedsMax`; StreamMaxLength, MaxFileSize and MaxScanSize
 * at the scanner's limit; MaxScanTime at its timeout) and no privilege drop. Resolves once clamd
 * answers PING, which is when its signatures are loaded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CLAMAV_MAX_SCAN_SIZE_BYTES, CLAMAV_MAX_SCANNABLE_BYTES } from '../../analysis/scan/virus-types.js';
import { clamdCommand } from './clamd-client.js';

/** Signature files ClamAV loads from a database directory. */
const signatureFile =
  /\.(cvd|cld|cud|ndb|ndu|hdb|hsb|hdu|hsu|mdb|msb|ldb|ldu|ign2|db|yar|yara|cdb|cbc|pdb|gdb|wdb|ftm|info)$/;

/** Whether a directory holds any signature file ClamAV can load. */
export function hasSignatures(databaseDir: string): boolean {
  try {
    return readdirSync(databaseDir).some((name) => signatureFile.test(name) && !name.endsWith('.info'));
  } catch {
    return false;
  }
}

/** Finds an executable on PATH and in the sbin folders, where Debian puts clamd. */
export function findExecutable(
  name: string,
  extraDirs = ['/usr/sbin', '/usr/local/sbin', '/sbin'],
): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].filter((dir) => dir.length > 0);
  return dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

export interface ClamdOptions {
  databaseDir: string;
  /** Defaults to clamd found on PATH or in /usr/sbin. */
  clamdPath?: string;
  /** Largest file to scan (StreamMaxLength and friends). */
  maxBytes?: number;
  /** MaxScanTime. */
  scanTimeoutMs?: number;
  /** How long to wait for the signatures to load (the official database takes 10-60 s). */
  startTimeoutMs?: number;
}

export interface RunningClamd {
  address: { socketPath: string };
  process: ChildProcess;
  /** The folder of its socket, configuration and temporary files. */
  dir: string;
  stop(): Promise<void>;
}

/** A byte count as ClamAV's size settings take it (`2047M`), at least 1M. */
export const megabytes = (bytes: number) => `${Math.max(1, Math.floor(bytes / 1024 / 1024))}M`;

export function clamdConfig(dir: string, options: ClamdOptions): string {
  const maxBytes = Math.min(options.maxBytes ?? CLAMAV_MAX_SCANNABLE_BYTES, CLAMAV_MAX_SCANNABLE_BYTES);
  return [
    `LocalSocket ${join(dir, 'clamd.sock')}`,
    `DatabaseDirectory ${options.databaseDir}`,
    `TemporaryDirectory ${join(dir, 'tmp')}`,
    'Foreground yes',
    'LogTime yes',
    // The stream is limited to what the scanner sends; what ClamAV extracts from it is not. An
    // archive member over MaxFileSize is skipped silently even with AlertExceedsMax
    // (Cisco-Talos/clamav#633), so both are at ClamAV's own ceilings; members beyond those are
    // caught from the archive's directory by AnalyzeFile (`analyze-upload.ts`).
    `StreamMaxLength ${megabytes(maxBytes)}`,
    `MaxFileSize ${megabytes(CLAMAV_MAX_SCANNABLE_BYTES)}`,
    `MaxScanSize ${megabytes(CLAMAV_MAX_SCAN_SIZE_BYTES)}`,
    `MaxScanTime ${options.scanTimeoutMs ?? 600_000}`,
    'AlertExceedsMax yes',
    // Reload signatures in place: a concurrent reload holds two databases (about 2.4 GiB) at once.
    'ConcurrentDatabaseReload no',
    'MaxThreads 4',
    '',
  ].join('\n');
}

/** Starts clamd and waits until it answers PING; rejects with its last output if it cannot start. */
export async function startClamd(options: ClamdOptions): Promise<RunningClamd> {
  const clamdPath = options.clamdPath ?? findExecutable('clamd');
  if (!clamdPath) throw new Error('clamd is not installed (not on PATH nor in /usr/sbin)');
  if (!hasSignatures(options.databaseDir))
    throw new Error(`${options.databaseDir} holds no ClamAV signatures (run freshclam)`);
  // Unix socket paths are limited to 107 bytes: a short private folder under the temp dir.
  const dir = await mkdtemp(join(tmpdir(), 'clamd-'));
  await mkdir(join(dir, 'tmp'));
  const configPath = join(dir, 'clamd.conf');
  await writeFile(configPath, clamdConfig(dir, options));
  const child = spawn(clamdPath, [`--config-file=${configPath}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (data: Buffer) => {
    output = (output + data.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    exited = `clamd exited (${signal ?? `code ${code}`})`;
  });
  child.once('error', (error) => {
    exited = `clamd could not be started: ${error.message}`;
  });
  const address = { socketPath: join(dir, 'clamd.sock') };
  const stop = async () => {
    if (exited === undefined && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`${exited}: ${output.trim().split('\n').slice(-5).join(' | ')}`);
    }
    try {
      if ((await clamdCommand(address, 'PING', 1000)).trim() === 'PONG') break;
    } catch {
      // Not listening yet: the signatures are still loading.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`clamd did not answer PING within ${options.startTimeoutMs ?? 120_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { address, process: child, dir, stop };
}
