/** The `scanFile` hook: the pass's scans, plus malware with the scanner it is given. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { scanFile } from '../../lambdas/analysis/hooks.js';
import type { RangedReader } from '../../lambdas/analysis/types.js';
import { ScannerDouble } from '../support/scanner-double.js';

const bufferReader = (bytes: Buffer): RangedReader => ({
  size: bytes.length,
  read: async (offset, length) => bytes.subarray(offset, offset + length),
});
const input = (bytes: Buffer, filename = 'train.jsonl') => ({
  stream: Readable.from([bytes]),
  reader: bufferReader(bytes),
  filename,
});
const rows = (texts: string[]) => Buffer.from(texts.map((text) => JSON.stringify({ text })).join('\n'));

describe('scanFile', () => {
  it('says not_scanned for malware without a scanner, and still scans records for PII', async () => {
    const scan = await scanFile(input(rows(['mail me at jane.doe@example.com'])));
    expect(scan.virus.status).toBe('not_scanned');
    expect(scan.pii?.counts).toEqual({ EMAIL_ADDRESS: 1 });
  });

  it('scans the whole file for malware through the ranged reader, across 1 MiB reads', async () => {
    const filler = 'x'.repeat(1024 * 1024 - 20);
    const bytes = rows([filler, 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!']);
    const scanner = new ScannerDouble();
    const scan = await scanFile(input(bytes), { malwareScanner: scanner });
    expect(scan.virus).toMatchObject({
      status: 'infected',
      threats: ['Test.EICAR-Body'],
      scannedBytes: bytes.length,
    });
    expect(scanner.scans).toBe(1);
  });

  it('reports a clean file clean only when the scanner said so', async () => {
    const scan = await scanFile(input(rows(['hello'])), { malwareScanner: new ScannerDouble() });
    expect(scan.virus.status).toBe('clean');
    const failed = await scanFile(input(rows(['hello'])), {
      malwareScanner: new ScannerDouble({ status: 'error', reason: 'clamd is down' }),
    });
    expect(failed.virus).toMatchObject({ status: 'error', reason: 'clamd is down' });
  });
});
