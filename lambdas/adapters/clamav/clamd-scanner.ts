/** A {@link MalwareScanner} that streams the file to a running clamd with INSTREAM. */
import type { Readable } from 'node:stream';
import { CLAMAV_MAX_SCANNABLE_BYTES, type VirusScan } from '../../analysis/scan/virus-types.js';
import type { MalwareScanner } from '../../core/ports.js';
import { type EngineVersion, interpretReply, parseVersion, tooLarge } from './clamav-verdict.js';
import {
  type ClamdAddress,
  ClamdError,
  clamdCommand,
  clamdInstream,
  describeAddress,
  SourceStreamError,
} from './clamd-client.js';

export interface ClamdScannerOptions {
  /** Longest a scan may take before it is an `error` (the workflow task has its own timeout). */
  timeoutMs: number;
  /** Largest file sent; keep it at or below clamd's StreamMaxLength. */
  maxBytes?: number;
}

export class ClamdScanner implements MalwareScanner {
  readonly maxBytes: number;

  constructor(
    private readonly address: ClamdAddress,
    private readonly options: ClamdScannerOptions,
  ) {
    this.maxBytes = Math.min(options.maxBytes ?? CLAMAV_MAX_SCANNABLE_BYTES, CLAMAV_MAX_SCANNABLE_BYTES);
  }

  private unreachable(
    error: unknown,
    version: EngineVersion = { engine: null, signatures: null },
  ): VirusScan {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...version,
      status: 'error',
      threats: [],
      reason: `The malware scanner failed, so the file was not scanned: ${message}.`,
    };
  }

  async scan(stream: Readable, size: number): Promise<VirusScan> {
    // The source may fail before it is read (an idle S3 body reset while clamd answers VERSION):
    // keep the error instead of letting it escape as an uncaught 'error' event.
    let sourceError: unknown;
    stream.on('error', (error) => {
      sourceError = error;
    });
    let version: EngineVersion;
    try {
      version = parseVersion(
        await clamdCommand(this.address, 'VERSION', Math.min(this.options.timeoutMs, 10_000)),
      );
    } catch (error) {
      stream.destroy();
      return this.unreachable(error);
    }
    if (size > this.maxBytes) {
      stream.destroy();
      return tooLarge(size, this.maxBytes, version);
    }
    if (sourceError !== undefined) throw new SourceStreamError(sourceError);
    const started = Date.now();
    try {
      const { reply, sentBytes } = await clamdInstream(this.address, stream, this.options.timeoutMs);
      return interpretReply(reply, version, { scannedBytes: sentBytes, durationMs: Date.now() - started });
    } catch (error) {
      if (error instanceof ClamdError) return this.unreachable(error, version);
      throw error;
    }
  }

  toString(): string {
    return `clamd at ${describeAddress(this.address)}`;
  }
}
