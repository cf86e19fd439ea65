/**
 * Refreshing ClamAV's signatures with freshclam (AWS only, in the ClamAV container image). The
 * folder is first filled from S3, so freshclam only fetches the differences (the ClamAV mirrors
 * rate-limit clients that download the whole database too often).
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs freshclam into `databaseDir`; returns the database version it reports. */
export async function runFreshclam(databaseDir: string, workDir: string): Promise<string> {
  await mkdir(databaseDir, { recursive: true });
  const configPath = join(workDir, 'freshclam.conf');
  await writeFile(
    configPath,
    [
      `DatabaseDirectory ${databaseDir}`,
      'DatabaseMirror database.clamav.net',
      'Foreground yes',
      'LogTime yes',
      'NotifyClamd no',
      'ScriptedUpdates yes',
      '',
    ].join('\n'),
  );
  await run('freshclam', [`--config-file=${configPath}`, `--datadir=${databaseDir}`, '--foreground'], {
    timeout: 10 * 60_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  const { stdout } = await run('clamscan', ['-d', databaseDir, '--version'], { timeout: 60_000 });
  return stdout.trim();
}
