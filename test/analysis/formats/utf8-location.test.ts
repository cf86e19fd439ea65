/**
 * The line an invalid UTF-8 byte is reported on does not depend on how the bytes arrive: the
 * case a property test once found (a newline, then a lone continuation byte, in 1-byte chunks).
 */
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Offset } from '../../../lambdas/analysis/formats/json-array-parser.js';

describe('firstInvalidUtf8Offset', () => {
  it('names the byte itself, not a few bytes before it', () => {
    expect(firstInvalidUtf8Offset(Buffer.from([10, 128]))).toBe(1);
    expect(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0x0a, 0x63, 0x64, 0x65, 0x0a, 0xff]))).toBe(7);
  });

  it('finds it past the binary search in a long prefix', () => {
    const bytes = Buffer.concat([
      Buffer.from('é'.repeat(5000)),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('abc'),
    ]);
    expect(firstInvalidUtf8Offset(bytes)).toBe(10_001);
  });
});
