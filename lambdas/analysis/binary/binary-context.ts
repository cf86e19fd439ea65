import type { FindingSink, RangedReader, RecordVisitor } from '../types.js';
import type { BudgetedReader } from './ranged-buffer.js';

/** What every format describer gets from `describeBinary`. */
export interface BinaryContext {
  /** Header, footer and directory reads, within the read budget. */
  reader: BudgetedReader;
  /** The object itself, for the bounded data reads a describer budgets on its own (Parquet rows). */
  source: RangedReader;
  /** The object's first bytes (up to 64 KiB), already in memory. */
  head: Uint8Array;
  filename: string;
  /** Lowercased last extension of the filename, if any. */
  extension: string | undefined;
  findings: FindingSink;
  visitors: readonly RecordVisitor[];
}

/** Keeps `details` small: long strings are cut, with their full length said. */
export function shortString(value: string, maxChars = 256): string {
  return value.length <= maxChars ? value : `${value.slice(0, maxChars)}... (${value.length} characters)`;
}

export const ascii = (bytes: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...bytes.subarray(start, start + length));
