/** The scanner when none is installed or configured: every file is `not_scanned`, with the reason. */
import type { Readable } from 'node:stream';
import type { VirusScan } from '../../analysis/scan/virus-types.js';
import type { MalwareScanner } from '../../core/ports.js';

export class UnavailableScanner implements MalwareScanner {
  readonly maxBytes = 0;

  constructor(readonly reason: string) {}

  async scan(stream: Readable): Promise<VirusScan> {
    stream.destroy();
    return { status: 'not_scanned', engine: null, signatures: null, threats: [], reason: this.reason };
  }

  toString(): string {
    return 'no malware scanner';
  }
}
