/**
 * What the PII and secret scanners of the streaming pass report. A detector never keeps or
 * returns a raw value: a finding carries a masked form only (a short prefix and suffix, the rest
 * as `*`), so summaries can go into reports, workflow payloads and logs as they are.
 */

/** One detected entity, located by record line and field path, with its value masked. */
export interface EntityFinding {
  /** Presidio entity name (`CREDIT_CARD`, `US_SSN` ...) or gitleaks rule id (`aws-access-token` ...). */
  type: string;
  /** 1-based line where the record starts (for Parquet: the row number). */
  line: number;
  /** Path of the string inside the record, e.g. `messages[1].content`, or a CSV column name. */
  field?: string;
  /** The value with most characters replaced by `*`, e.g. `4111********1111`; never the raw value. */
  masked: string;
}

/** Counts per type over the whole file, and a bounded set of sample locations. */
export interface DetectionSummary {
  /** Type -> number of occurrences (exact, not bounded by the samples). */
  counts: Record<string, number>;
  /** The first {@link SAMPLES_PER_TYPE} findings of each type, at most {@link MAX_SAMPLES} in all. */
  samples: EntityFinding[];
  /** Sum of `counts`. */
  total: number;
  /** Present when the records could not be scanned: then the counts say nothing. */
  status?: 'not_scanned';
  reason?: string;
  /**
   * Amazon Comprehend on a sample of the first records (AWS, stack prop `comprehendPii`):
   * counts of names, addresses and the other types it detects. Added by the workflow, not the pass.
   */
  comprehend?: ComprehendSampleSummary;
}

/** What Amazon Comprehend found in a sample of a dataset (`core/completion/comprehend-sample.ts`). */
export interface ComprehendSampleSummary {
  status: 'scanned' | 'error';
  engine: string;
  sampledRecords: number;
  sampledBytes: number;
  /** Entities with a confidence of at least 0.8, by Comprehend's type (NAME, ADDRESS, ...). */
  counts: Record<string, number>;
  reason?: string;
}

/** Samples kept per type: enough to find the records, not a copy of the data. */
export const SAMPLES_PER_TYPE = 3;
/** Samples kept in all. */
export const MAX_SAMPLES = 50;

/** Counts findings and keeps the first few of each type, in bounded memory. */
export class DetectionTally {
  private readonly counts = new Map<string, number>();
  private readonly samples: EntityFinding[] = [];
  private total = 0;

  add(finding: EntityFinding): void {
    const count = (this.counts.get(finding.type) ?? 0) + 1;
    this.counts.set(finding.type, count);
    this.total++;
    if (count <= SAMPLES_PER_TYPE && this.samples.length < MAX_SAMPLES) this.samples.push(finding);
  }

  summary(): DetectionSummary {
    // fromEntries defines own properties: a type can never reach the prototype.
    return {
      counts: Object.fromEntries(this.counts),
      samples: this.samples.map((sample) => ({ ...sample })),
      total: this.total,
    };
  }
}
