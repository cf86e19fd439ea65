/**
 * The ClamAV scanners against a real clamd and clamscan with the tests' own EICAR signature:
 * verdicts, engine versions, archive members, and every way of failing closed (a stopped
 * daemon, a file over the limits, a timeout, a missing database).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningClamd, startClamd } from '../../lambdas/adapters/clamav/clamd-process.js';
import { ClamdScanner } from '../../lambdas/adapters/clamav/clamd-scanner.js';
import { ClamscanScanner } from '../../lambdas/adapters/clamav/clamscan-scanner.js';
import { zipFile } from '../analysis/binary/binary-fixtures.js';
import {
  clamavMissing,
  clamdPath,
  clamscanPath,
  EICAR,
  EICAR_SIGNATURE,
  writeEicarDatabase,
} from '../support/clamav.js';

const skip = clamavMissing();
const bytes = (text: string) => Buffer.from(text);
const jsonl = (rows: object[]) => bytes(rows.map((row) => JSON.stringify(row)).join('\n'));
const infectedJsonl = jsonl([{ text: 'hello' }, { text: `payload ${EICAR} end` }]);

describe.skipIf(skip !== undefined)('ClamAV scanners', () => {
  let dir: string;
  let databaseDir: string;
  let clamd: RunningClamd;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clamav-test-'));
    databaseDir = await writeEicarDatabase(dir);
    clamd = await startClamd({ databaseDir, clamdPath, maxBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await clamd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('clamd (INSTREAM)', () => {
    const scanner = () => new ClamdScanner(clamd.address, { timeoutMs: 10_000 });

    it('reports a clean file clean, with the engine version', async () => {
      const file = jsonl([{ text: 'nothing to see' }]);
      const result = await scanner().scan(Readable.from([file]), file.length);
      expect(result).toMatchObject({ status: 'clean', threats: [], scannedBytes: file.length });
      expect(result.engine).toMatch(/^ClamAV \d+\.\d+/);
    });

    it('names the EICAR signature inside a JSONL row, across chunk boundaries', async () => {
      const chunks = [infectedJsonl.subarray(0, 30), infectedJsonl.subarray(30)];
      const result = await scanner().scan(Readable.from(chunks), infectedJsonl.length);
      expect(result).toMatchObject({ status: 'infected', threats: [EICAR_SIGNATURE] });
    });

    it('finds EICAR in a member of a zip archive', async () => {
      const zip = zipFile([{ name: 'data/train.jsonl', data: infectedJsonl, deflate: true }]);
      const result = await scanner().scan(Readable.from([zip]), zip.length);
      expect(result).toMatchObject({ status: 'infected', threats: [EICAR_SIGNATURE] });
    });

    it('finds EICAR after the padding of an archive member larger than the stream limit', async () => {
      // A 3 MiB member compresses to a few KB: the stream is under this clamd's 1 MiB limit, the
      // member is not. ClamAV skips members over MaxFileSize silently (Cisco-Talos/clamav#633).
      const member = Buffer.concat([Buffer.alloc(3 * 1024 * 1024, 'a'), Buffer.from(EICAR)]);
      const zip = zipFile([{ name: 'padded.txt', data: member, deflate: true }]);
      expect(zip.length).toBeLessThan(64 * 1024);
      const result = await scanner().scan(Readable.from([zip]), zip.length);
      expect(result).toMatchObject({ status: 'infected', threats: [EICAR_SIGNATURE] });
    });

    it('does not send a file over its own limit: not_scanned, never clean', async () => {
      const limited = new ClamdScanner(clamd.address, { timeoutMs: 10_000, maxBytes: 10 });
      const result = await limited.scan(Readable.from([infectedJsonl]), infectedJsonl.length);
      expect(result.status).toBe('not_scanned');
      expect(result.reason).toMatch(/at most 10/);
      expect(result.engine).toMatch(/ClamAV/);
    });

    it("reports a stream past clamd's StreamMaxLength as not scanned, never clean", async () => {
      // The scanner allows more than this clamd (1 MiB): clamd stops reading and answers.
      const big = Buffer.alloc(3 * 1024 * 1024, 'a');
      const result = await scanner().scan(
        Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]),
        big.length,
      );
      // clamd answers "size limit exceeded" and closes; whether the answer or the reset of the
      // write arrives first is a race: not_scanned or error, both with the reason, never clean.
      expect(['not_scanned', 'error']).toContain(result.status);
      expect(result.reason).toMatch(/StreamMaxLength/);
    });

    it('answers error, not clean, when the scan does not finish in time', async () => {
      const slow = new ClamdScanner(clamd.address, { timeoutMs: 300 });
      const neverEnds = new PassThrough();
      neverEnds.write('still uploading');
      const result = await slow.scan(neverEnds, 100);
      expect(result.status).toBe('error');
      expect(result.reason).toMatch(/did not answer within 300 ms/);
      expect(result.reason).not.toMatch(/StreamMaxLength/);
    });

    it('rethrows a failing source instead of giving a verdict', async () => {
      const failing = new Readable({
        read() {
          this.destroy(new Error('S3 connection reset'));
        },
      });
      await expect(scanner().scan(failing, 10)).rejects.toThrow(/S3 connection reset/);
    });
  });

  it('answers error when clamd is stopped', async () => {
    const own = await startClamd({ databaseDir, clamdPath });
    const scanner = new ClamdScanner(own.address, { timeoutMs: 5000 });
    await own.stop();
    const result = await scanner.scan(Readable.from([infectedJsonl]), infectedJsonl.length);
    expect(result).toMatchObject({ status: 'error', engine: null, threats: [] });
    expect(result.reason).toMatch(/malware scanner failed/);
  });

  describe('clamscan (CLI, stdin)', () => {
    const scanner = (databaseDirectory = databaseDir) =>
      new ClamscanScanner({
        path: clamscanPath as string,
        databaseDir: databaseDirectory,
        timeoutMs: 60_000,
      });

    it('finds EICAR and reports clean files clean', async () => {
      expect(await scanner().scan(Readable.from([infectedJsonl]), infectedJsonl.length)).toMatchObject({
        status: 'infected',
        threats: [EICAR_SIGNATURE],
      });
      const clean = bytes('{"text":"ok"}\n');
      const result = await scanner().scan(Readable.from([clean]), clean.length);
      expect(result.status).toBe('clean');
      expect(result.engine).toMatch(/^ClamAV/);
    });

    it('answers error without a signature database', async () => {
      const result = await scanner(join(dir, 'empty')).scan(
        Readable.from([infectedJsonl]),
        infectedJsonl.length,
      );
      expect(result.status).toBe('error');
      expect(result.reason).toMatch(/clamscan failed/);
    });

    it('answers error when the binary is missing', async () => {
      const missing = new ClamscanScanner({ path: join(dir, 'no-clamscan'), timeoutMs: 1000 });
      const result = await missing.scan(Readable.from([infectedJsonl]), infectedJsonl.length);
      expect(result.status).toBe('error');
    });
    it('rethrows a source that fails part-way instead of scanning what arrived', async () => {
      const failing = new Readable({
        read() {
          this.push(Buffer.from('{"text":"first'));
          this.destroy(new Error('S3 connection reset'));
        },
      });
      await expect(scanner().scan(failing, 1000)).rejects.toThrow(/S3 connection reset/);
    });
  });

  it('rethrows a source that fails before it is read, without an uncaught error', async () => {
    const early = new PassThrough();
    const scanning = new ClamdScanner(clamd.address, { timeoutMs: 5000 }).scan(early, 100);
    early.destroy(new Error('socket reset while idle'));
    await expect(scanning).rejects.toThrow(/socket reset while idle/);
  });
});
