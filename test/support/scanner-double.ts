/**
 * A malware scanner test double for unit tests on in-memory ports: it reads the whole stream and
 * reports `infected` when the EICAR body appears, else `clean` - or the fixed verdict it is given
 * (a scanner that could not look). The real scanners are tested against ClamAV itself
 * (`test/adapters/clamav-scanners.test.ts`).
 */
import type { Readable } from 'node:stream';
import type { VirusScan } from '../../lambdas/analysis/scan/virus-types.js';
import type { MalwareScanner } from '../../lambdas/core/ports.js';

const eicarBody = 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!';

export class ScannerDouble implements MalwareScanner {
  /** How many scans ran. */
  scans = 0;

  constructor(private readonly fixed?: Omit<VirusScan, 'engine' | 'signatures' | 'threats'>) {}

  async scan(stream: Readable, size: number): Promise<VirusScan> {
    this.scans++;
    const base = { engine: 'test double', signatures: 'EICAR body', threats: [] as string[] };
    if (this.fixed) {
      stream.destroy();
      return { ...base, ...this.fixed };
    }
    let tail = '';
    let found = false;
    let scannedBytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      scannedBytes += chunk.length;
      const text = tail + chunk.toString('latin1');
      if (text.includes(eicarBody)) found = true;
      tail = text.slice(-eicarBody.length);
    }
    if (scannedBytes !== size) throw new Error(`expected ${size} bytes, read ${scannedBytes}`);
    return found
      ? { ...base, status: 'infected', threats: ['Test.EICAR-Body'], scannedBytes }
      : { ...base, status: 'clean', scannedBytes };
  }
}
