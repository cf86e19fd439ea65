/**
 * What a malware scan reports. Only `clean` means the engine looked at every byte and found
 * nothing: a scanner that could not look (not installed, no signatures, a file over its limits)
 * says `not_scanned`, and one that failed (crashed, timed out, refused the stream) says `error`.
 * Neither is ever taken for clean; `decision` records what the unscanned-file policy did.
 */
import type { Readable } from 'node:stream';

export type VirusScanStatus = 'clean' | 'infected' | 'not_scanned' | 'error';

export interface VirusScan {
  status: VirusScanStatus;
  /** Engine and version, e.g. `ClamAV 1.4.3`; null when no engine answered. */
  engine: string | null;
  /** Signature database version and date (`27830 (Fri Nov 27 09:27:02 2026)`), `custom` when
   *  only locally written signatures are loaded, null when unknown. */
  signatures: string | null;
  /** Signature names that matched (only when `infected`). */
  threats: string[];
  /** Why the file was not scanned, or what went wrong. */
  reason?: string;
  /** For `not_scanned` and `error`: what MALWARE_UNSCANNED_POLICY decided for the file. */
  decision?: 'quarantine' | 'reject' | 'report';
  /** Bytes handed to the engine. */
  scannedBytes?: number;
  durationMs?: number;
}

/**
 * A malware scanner (ClamAV's clamd or clamscan: `lambdas/adapters/clamav/`). `scan` never
 * throws for what the engine did: a scanner that could not look answers `not_scanned` or
 * `error`, never `clean`. It streams `size` bytes to the engine (a file over what the engine can
 * scan is `not_scanned` without being sent) and rethrows a failure to read `stream`.
 */
export interface MalwareScanner {
  scan(stream: Readable, size: number): Promise<VirusScan>;
}

/** Largest file ClamAV can scan: its engine stops at 2 GiB - 1 whatever the settings say. */
export const CLAMAV_MAX_SCANNABLE_BYTES = 2 ** 31 - 1;

/** Most data ClamAV extracts and scans from one file (its MaxScanSize ceiling, 4 GiB - 1). */
export const CLAMAV_MAX_SCAN_SIZE_BYTES = 2 ** 32 - 1;
