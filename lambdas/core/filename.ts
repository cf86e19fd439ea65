/**
 * Filename sanitizing. A client's filename is shown back and used as the last segment of an S3
 * key (`completed/{uploadId}/{name}`); it must never add a path segment (`../`, `a/b`, `C:\`),
 * carry control characters, or grow the key past S3's 1,024-byte limit.
 */
import { ValidationError } from './errors.js';

/** Longest sanitized name in UTF-8 bytes (most file systems' limit; keys stay far below 1,024). */
export const maxFilenameBytes = 255;

// Control characters (C0, DEL, C1) and the Unicode bidi overrides that disguise extensions.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// Characters with meaning in paths, shells or URLs; letters of any script stay.
const reservedCharacters = /[<>:"|?*\\/#%{}^~[\]`;$&'=+,!@]/g;

function truncateUtf8(name: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(name).length <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = name.slice(0, name.length - extension.length);
  while (stem.length > 0 && encoder.encode(stem + extension).length > maxBytes) {
    stem = Array.from(stem).slice(0, -1).join('');
  }
  return stem + extension;
}

/**
 * Returns a safe filename: the last path segment, NFC-normalized, control and reserved
 * characters replaced by `_`, no leading dots or spaces, at most 255 UTF-8 bytes (extension kept).
 * Throws `ValidationError` when nothing usable remains.
 */
export function sanitizeFilename(raw: string): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(unsafeCharacters, '')
    .replace(reservedCharacters, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
    .replace(/_{2,}/g, '_');
  const safe = truncateUtf8(cleaned, maxFilenameBytes);
  if (safe.length === 0 || /^_+$/.test(safe)) {
    throw new ValidationError(
      `filename ${JSON.stringify(raw.slice(0, 100))} has no usable characters after removing path segments and control characters. Send a plain file name such as "train.jsonl".`,
      { field: 'filename' },
    );
  }
  return safe;
}
