/**
 * tar (POSIX ustar, GNU, pax): a 512-byte header per member, the member's data padded to 512
 * bytes, two zero blocks at the end. The walk reads headers only and skips data by its size,
 * so a tar of large files costs one small read per member (the cursor's read-ahead window
 * serves runs of small members together). Size fields are octal ASCII, or base-256 when their
 * first byte has the high bit set (GNU, members of 8 GiB and more). Long names come from a GNU
 * `L` member or a pax `x` header's `path` record, which apply to the next member. The header
 * checksum (sum of the header's bytes with the checksum field read as spaces) tells a tar
 * header from anything else. The walk stops after `maxTarEntries` members or at the read budget.
 */
import type { ArchiveDescription } from '../types.js';
import type { BinaryContext } from './binary-context.js';
import { BinaryFormatError, ReadBudgetExceededError, TruncatedFileError } from './binary-errors.js';
import { ByteCursor } from './ranged-buffer.js';

export const maxTarEntries = 10_000;
const block = 512;
const maxSampleEntries = 20;
/** Pax and GNU long-name payloads read to learn a name; larger ones are skipped. */
const maxNamePayloadBytes = 64 * 1024;

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function text(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const nul = field.indexOf(0);
  return utf8.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** An octal or base-256 numeric field; `undefined` when it is neither. */
function numeric(header: Uint8Array, start: number, length: number): number | undefined {
  const field = header.subarray(start, start + length);
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const digits = latin1.decode(field).replace(/\0.*$/s, '').trim();
  if (digits === '') return 0;
  return /^[0-7]+$/.test(digits) ? Number.parseInt(digits, 8) : undefined;
}

function checksumMatches(header: Uint8Array): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return stored === sum;
}

/** `path=...` from pax records (`<length> <key>=<value>\n`). */
function paxPath(records: string): string | undefined {
  for (const line of records.split('\n')) {
    const match = /^\d+ path=(.*)$/s.exec(line);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

export async function describeTar(ctx: BinaryContext): Promise<ArchiveDescription> {
  const { reader, findings } = ctx;
  const cursor = new ByteCursor(reader, 0);
  const archive: ArchiveDescription = {
    format: 'tar',
    entryCount: 0,
    totalUncompressedBytes: 0,
    sampleEntries: [],
  };
  let nextName: string | undefined;
  let entries = 0;
  let totalBytes = 0;
  const samples: { name: string; size: number }[] = [];
  const finish = (): ArchiveDescription => ({
    ...archive,
    entryCount: entries,
    totalUncompressedBytes: totalBytes,
    sampleEntries: samples,
  });
  try {
    while (cursor.remaining >= block) {
      const at = cursor.position;
      const header = await cursor.bytes(block, 'a tar header');
      if (header.every((byte) => byte === 0)) return finish();
      if (!checksumMatches(header)) {
        throw new BinaryFormatError('CORRUPT_TAR', `the tar header at byte ${at} has a wrong checksum`);
      }
      const size = numeric(header, 124, 12);
      if (size === undefined)
        throw new BinaryFormatError('CORRUPT_TAR', `the tar header at byte ${at} has no valid size`);
      const type = String.fromCharCode(header[156] ?? 0);
      const padded = Math.ceil(size / block) * block;
      if (padded > cursor.remaining) {
        findings.report({
          severity: 'error',
          code: 'TRUNCATED_FILE',
          field: nextName ?? text(header, 0, 100),
          message: `tar member at byte ${at} declares ${size} bytes but the file ends ${cursor.remaining} bytes later`,
        });
        return finish();
      }
      if (type === 'L' || type === 'x') {
        // GNU long name or pax extended header: names the next member.
        if (size <= maxNamePayloadBytes) {
          const payload = utf8.decode(await cursor.bytes(size, 'a tar long name'));
          cursor.skip(padded - size, 'tar padding');
          nextName = type === 'L' ? payload.replace(/\0+$/, '') : (paxPath(payload) ?? nextName);
        } else {
          cursor.skip(padded, 'a tar extended header');
        }
        continue;
      }
      cursor.skip(padded, 'tar member data');
      if (type === 'g' || type === 'K') continue;
      // ustar splits long names into prefix (345, 155 bytes) + '/' + name.
      const prefix = text(header, 257, 6) === 'ustar' ? text(header, 345, 155) : '';
      const name = nextName ?? (prefix === '' ? text(header, 0, 100) : `${prefix}/${text(header, 0, 100)}`);
      nextName = undefined;
      entries++;
      // Only regular files ('0', NUL, and '7' contiguous) carry content; links and directories do not.
      const isFile = type === '0' || type === '\0' || type === '7';
      if (isFile) totalBytes += size;
      if (samples.length < maxSampleEntries) samples.push({ name, size: isFile ? size : 0 });
      if (entries >= maxTarEntries && cursor.remaining >= block) {
        findings.report({
          severity: 'warning',
          code: 'ARCHIVE_LISTING_TRUNCATED',
          message: `listed the first ${maxTarEntries} tar members only: the entry count and total size are lower bounds`,
        });
        return finish();
      }
    }
  } catch (error) {
    if (!(error instanceof ReadBudgetExceededError)) throw error;
    findings.report({
      severity: 'warning',
      code: 'ANALYSIS_BUDGET_EXCEEDED',
      message: `listed ${entries} tar members before the read budget ran out: the entry count and total size are lower bounds`,
    });
    return finish();
  }
  if (entries === 0) throw new TruncatedFileError('the tar archive ends before its first header');
  // No end-of-archive blocks: `tar` accepts this with a warning; the members listed are intact.
  findings.report({
    severity: 'warning',
    code: 'TAR_END_MISSING',
    message: 'the tar archive has no end-of-archive blocks (possibly truncated between members)',
  });
  return finish();
}
