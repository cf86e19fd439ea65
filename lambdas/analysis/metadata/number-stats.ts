import type { NumberStats } from '../types.js';

/**
 * Running min / mean / max / total of a series of numbers, in constant memory. Shared by the
 * metadata visitors so every statistic in a report is computed the same way.
 */
export class NumberStatsAccumulator {
  private countSeen = 0;
  private sum = 0;
  private minSeen = Number.POSITIVE_INFINITY;
  private maxSeen = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.countSeen++;
    this.sum += value;
    if (value < this.minSeen) this.minSeen = value;
    if (value > this.maxSeen) this.maxSeen = value;
  }

  /** How many values were added. */
  get count(): number {
    return this.countSeen;
  }

  /** Sum of the values added. */
  get total(): number {
    return this.sum;
  }

  /** The statistics so far, or `undefined` when no value was added (no min or max exists). */
  stats(): NumberStats | undefined {
    if (this.countSeen === 0) return undefined;
    return { min: this.minSeen, mean: this.sum / this.countSeen, max: this.maxSeen, total: this.sum };
  }
}

/** A new, empty accumulator. */
export function numberStats(): NumberStatsAccumulator {
  return new NumberStatsAccumulator();
}
