/**
 * Optional (stack prop `comprehendPii`): Amazon Comprehend's DetectPiiEntities on a sample of a
 * dataset, for what the pass's validated recognizers cannot find - names and street addresses.
 * The sample is the string values of the first records (at most {@link maxSampleBytes}, under
 * Comprehend's 100 KB per request), one request per file. Only counts per entity type are
 * kept, never the text; findings are reported, never a reason to reject (they are a sample's,
 * and probabilistic). A failed call says `error` with its reason and does not fail the task.
 */
import type { ComprehendSampleSummary } from '../../analysis/scan/scan-types.js';
import type { RangedReader } from '../../analysis/types.js';

/** One entity a detector found (types as Comprehend's: NAME, ADDRESS, EMAIL, ...). */
export interface PiiEntity {
  type: string;
  score: number;
}

export interface PiiEntityDetector {
  /** Engine name for the result, e.g. `Amazon Comprehend DetectPiiEntities`. */
  readonly engine: string;
  detect(text: string): Promise<PiiEntity[]>;
}

export const maxSampleBytes = 90_000;
const maxReadBytes = 512 * 1024;
const minScore = 0.8;

function stringsOf(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) stringsOf(item, out);
}

/** The text of the first records: JSON lines' string values, else the raw lines (CSV, TSV). */
export function sampleText(head: string): { text: string; records: number } {
  const pieces: string[] = [];
  let bytes = 0;
  let records = 0;
  const lines = head.split(/\r?\n/);
  // The last line may be cut by the read: drop it unless the whole file was read.
  for (const line of lines.slice(0, Math.max(1, lines.length - 1))) {
    if (line.trim() === '') continue;
    const strings: string[] = [];
    try {
      stringsOf(JSON.parse(line), strings);
    } catch {
      strings.push(line);
    }
    let text = strings.join('\n');
    // A first record longer than the whole budget (a long document) is sampled by its beginning
    // rather than not at all: an empty sample would read as "no PII".
    if (records === 0 && Buffer.byteLength(text) + 1 > maxSampleBytes) {
      text = Buffer.from(text)
        .subarray(0, maxSampleBytes - 1)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
    }
    const size = Buffer.byteLength(text) + 1;
    if (bytes + size > maxSampleBytes) break;
    pieces.push(text);
    bytes += size;
    records++;
  }
  return { text: pieces.join('\n'), records };
}

export async function sampleWithComprehend(
  reader: RangedReader,
  detector: PiiEntityDetector,
): Promise<ComprehendSampleSummary> {
  const head = Buffer.from(await reader.read(0, Math.min(reader.size, maxReadBytes))).toString('utf8');
  const { text, records } = sampleText(reader.size <= maxReadBytes ? `${head}\n` : head);
  const base = { engine: detector.engine, sampledRecords: records, sampledBytes: Buffer.byteLength(text) };
  if (text.trim() === '') return { ...base, status: 'scanned', counts: {} };
  try {
    const counts: Record<string, number> = {};
    for (const entity of await detector.detect(text)) {
      if (entity.score >= minScore) counts[entity.type] = (counts[entity.type] ?? 0) + 1;
    }
    return { ...base, status: 'scanned', counts };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { ...base, status: 'error', counts: {}, reason: `${detector.engine} failed: ${name}` };
  }
}
