import { describe, expect, it } from 'vitest';
import { DuplicateDetector } from '../../../lambdas/analysis/schema/duplicate-detector.js';

/** `text` as bytes at `offset` inside a larger buffer, as a line of a read chunk arrives. */
function bytesAt(text: string, offset: number): Uint8Array {
  const line = Buffer.from(text);
  const chunk = Buffer.alloc(offset + line.length + 5, 0x7b);
  line.copy(chunk, offset);
  return chunk.subarray(offset, offset + line.length);
}

describe('DuplicateDetector over source bytes', () => {
  it('finds the same bytes again at any offset of any buffer, naming the first line', () => {
    const detector = new DuplicateDetector();
    const line = '{"messages":[{"role":"user","content":"héllo 👋"}]}';
    expect(detector.check(undefined, 1, bytesAt(line, 0))).toBeUndefined();
    for (let offset = 1; offset < 8; offset++)
      expect(detector.check(undefined, offset + 1, bytesAt(line, offset))).toBe(1);
  });

  it('tells apart lines of every length up to 12 bytes that differ in any one byte', () => {
    const detector = new DuplicateDetector();
    let line = 1;
    for (let length = 0; length <= 12; length++) {
      const base = 'abcdefghijkl'.slice(0, length);
      expect(detector.check(undefined, line++, bytesAt(base, length % 4))).toBeUndefined();
      for (let at = 0; at < length; at++) {
        const changed = `${base.slice(0, at)}X${base.slice(at + 1)}`;
        expect(detector.check(undefined, line++, bytesAt(changed, at % 4))).toBeUndefined();
      }
    }
  });

  it('keeps lengths apart: a line and the same line with trailing zero bytes differ', () => {
    const detector = new DuplicateDetector();
    expect(detector.check(undefined, 1, new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(detector.check(undefined, 2, new Uint8Array([1, 2, 3, 0]))).toBeUndefined();
    expect(detector.check(undefined, 3, new Uint8Array([1, 2, 3, 0, 0, 0, 0, 0]))).toBeUndefined();
    expect(detector.check(undefined, 4, new Uint8Array([1, 2, 3, 0]))).toBe(2);
  });

  it('without bytes, compares records by their JSON', () => {
    const detector = new DuplicateDetector();
    expect(detector.check({ text: 'a', label: 1 }, 1)).toBeUndefined();
    expect(detector.check({ text: 'a', label: 1 }, 2)).toBe(1);
    expect(detector.check({ label: 1, text: 'a' }, 3)).toBeUndefined();
  });
});
