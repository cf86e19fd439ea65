/** Test bytes: deterministic content and digests to compare it by. */
import { createHash } from 'node:crypto';

/** Deterministic pseudo-random bytes (xorshift, no Math.random), so a failure reproduces. */
export function patternBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Length and sha256 of some bytes, or `missing`. Tests compare digests rather than the arrays:
 * vitest's deep equality walks a typed array element by element and takes seconds on a few MiB.
 */
export const digestOf = (bytes: Uint8Array | undefined): string =>
  bytes === undefined ? 'missing' : `${bytes.length} bytes, sha256 ${sha256Hex(bytes)}`;
