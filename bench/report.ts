/** Measuring and printing: timings, RSS, percentiles and a plain-text table. */
import { performance } from 'node:perf_hooks';

const MiB = 1024 * 1024;

/** The process's peak resident set size so far, KiB (`getrusage`'s `ru_maxrss`; it only grows). */
export const maxRss = (): number => process.resourceUsage().maxRSS;

export interface Row {
  phase: string;
  parallel: number | string;
  mib: number;
  seconds: number;
  /** Highest RSS sampled during the row, MiB. */
  rowRssMiB: number;
  /** `process.resourceUsage().maxRSS` at the end of the row, KiB: the process's peak so far. */
  maxRssKiB: number;
}

/** Times `work` and samples RSS every 50 ms while it runs. */
export async function measured(work: () => Promise<void>): Promise<{ seconds: number; rowRssMiB: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, rowRssMiB: Math.max(peak, process.memoryUsage.rss()) / MiB };
}

/** Nearest-rank percentile of ascending `sorted`. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

export function table(headers: string[], lines: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...lines.map((line) => (line[column] ?? '').length)),
  );
  const format = (cells: string[]) =>
    cells.map((cell, column) =>
      column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
    );
  return [format(headers), widths.map((width) => '-'.repeat(width)), ...lines.map(format)]
    .map((cells) => cells.join('  '))
    .join('\n');
}
