/**
 * Reading ClamAV's answers, the same for clamd and clamscan. ClamAV answers "FOUND" for more
 * than malware: with AlertExceedsMax (which the project always turns on, because ClamAV
 * otherwise reports a file over its limits as OK unscanned) a file or archive member over a
 * size, recursion or time limit is "found" as `Heuristics.Limits.Exceeded.*`. That is a file
 * the engine did not fully look at - `not_scanned` - not a virus and never clean.
 */
import type { VirusScan } from '../../analysis/scan/virus-types.js';

export interface EngineVersion {
  engine: string | null;
  signatures: string | null;
}

/** `ClamAV 1.4.3/27830/Fri Nov 27 09:27:02 2026` -> engine `ClamAV 1.4.3`, signatures `27830 (Fri ...)`. */
export function parseVersion(reply: string): EngineVersion {
  const [engine, database, date] = reply.trim().split('/');
  return {
    engine: engine ? engine : null,
    // Only the project's own signature files loaded (no daily/main database): no database version.
    signatures: database ? `${database}${date ? ` (${date})` : ''}` : null,
  };
}

const limitsExceeded = 'Heuristics.Limits.Exceeded';

/** What one scan reply says, e.g. `stream: OK`, `stdin: Eicar-Signature FOUND`, `... ERROR`. */
export function interpretReply(
  reply: string,
  version: EngineVersion,
  extra: Pick<VirusScan, 'scannedBytes' | 'durationMs'>,
): VirusScan {
  const base = { ...version, threats: [] as string[], ...extra };
  const lines = reply
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const found = lines
    .map((line) => /^[^:]*: (.+) FOUND$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  const limits = found.filter((name) => name.startsWith(limitsExceeded));
  const threats = found.filter((name) => !name.startsWith(limitsExceeded));
  if (threats.length > 0) return { ...base, status: 'infected', threats };
  if (limits.length > 0) {
    return {
      ...base,
      status: 'not_scanned',
      reason: `ClamAV could not scan all of the file (${limits.join(', ')}): a file or archive member is over its size, count, recursion or time limits.`,
    };
  }
  if (lines.length > 0 && lines.every((line) => /: OK$/.test(line))) return { ...base, status: 'clean' };
  if (/size limit exceeded/i.test(reply)) {
    return {
      ...base,
      status: 'not_scanned',
      reason: `The file is larger than clamd's StreamMaxLength, so it was not scanned (clamd: ${reply.trim()}).`,
    };
  }
  return {
    ...base,
    status: 'error',
    reason: `ClamAV did not give a verdict: ${reply.trim().slice(0, 300) || 'an empty answer'}.`,
  };
}

/** A file over what the engine can scan: reported, never sent. */
export function tooLarge(size: number, maxBytes: number, version: EngineVersion): VirusScan {
  return {
    ...version,
    status: 'not_scanned',
    threats: [],
    reason: `The file has ${size} bytes; the scanner takes at most ${maxBytes} (ClamAV cannot scan past 2 GiB - 1), so it was not scanned for malware.`,
    scannedBytes: 0,
  };
}
