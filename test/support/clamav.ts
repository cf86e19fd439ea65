/**
 * ClamAV for the tests: a signature database the tests write themselves (one `.ndb` body
 * signature for the EICAR test string; nothing is downloaded) and a check that says why the
 * ClamAV tests are skipped on a machine without it. CI installs ClamAV (`.ci/run`), so there
 * they run; set `REQUIRE_CLAMAV=1` to make a missing ClamAV a failure instead of a skip.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable } from '../../lambdas/adapters/clamav/clamd-process.js';

/**
 * The EICAR anti-virus test string, assembled at run time so this source file is not itself
 * flagged by a virus scanner on a developer's machine.
 */
export const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-', 'TEST-FILE!$H+H*'].join(
  '',
);

/** The name ClamAV reports for our signature (`.UNOFFICIAL` is added to non-official signatures). */
export const EICAR_SIGNATURE = 'Test.EICAR-Body.UNOFFICIAL';

/** Writes a database directory holding only the EICAR body signature; returns its path. */
export async function writeEicarDatabase(dir: string): Promise<string> {
  const databaseDir = join(dir, 'signatures');
  await mkdir(databaseDir, { recursive: true });
  const body = Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE!').toString('hex');
  await writeFile(join(databaseDir, 'test.ndb'), `Test.EICAR-Body:0:*:${body}\n`);
  return databaseDir;
}

export const clamdPath = findExecutable('clamd');
export const clamscanPath = findExecutable('clamscan');

/** Why ClamAV tests cannot run here, or `undefined` when they can. */
export function clamavMissing(): string | undefined {
  const missing = [clamdPath ? undefined : 'clamd', clamscanPath ? undefined : 'clamscan'].filter(Boolean);
  if (missing.length === 0) return undefined;
  const reason = `ClamAV tests skipped: ${missing.join(' and ')} not installed (sudo apt-get install -y clamav clamav-daemon)`;
  if (process.env.REQUIRE_CLAMAV === '1') throw new Error(`${reason}, but REQUIRE_CLAMAV=1`);
  console.warn(reason);
  return reason;
}
