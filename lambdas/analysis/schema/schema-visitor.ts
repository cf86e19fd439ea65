/**
 * The schema visitor of the single pass: checks every record against its family (auto-detected
 * per record, imposed by `init`'s `schema`, or a team's registered JSON Schema) and reports the
 * file-level findings once, at the end:
 *   MIXED_FAMILIES (error, auto mode): the line of the first record of the least common family
 *   NO_SYSTEM_MESSAGE (warning, chat): one finding with the count, not one per line
 *   TOO_FEW_EXAMPLES (warning): fewer than 10 records
 *   DUPLICATE_EXAMPLE (warning): the first `maxListedDuplicates` individually, then a summary
 * Memory is bounded: counters, one line per family, and the duplicate table.
 */
import type {
  AnalysisOptions,
  DatasetDescription,
  Finding,
  FindingSink,
  RecordLocation,
  RecordVisitor,
  SchemaExpectation,
  SchemaFamily,
} from '../types.js';
import { typeName } from './chat-rules.js';
import { type CustomValidator, compileCustomSchema } from './custom-schema.js';
import { detectFamily, isPlainObject } from './detect-family.js';
import { DuplicateDetector, defaultMaxTrackedRecords } from './duplicate-detector.js';
import { hasSystemMessage, validateRecord } from './validate-record.js';

/** OpenAI requires at least 10 examples; fewer is usually a truncated export. */
export const minExamples = 10;
/** Duplicates reported one by one; the rest are summed up in one warning. */
export const maxListedDuplicates = 20;

export type SchemaVisitor = RecordVisitor & { family(): DatasetDescription['schemaFamily'] };

/**
 * Time all records of one file may spend in a registered JSON Schema's checks (synchronous, so
 * timed around each). The pattern caps bound each match (`linear-regexp.ts`), but a file of long
 * strings against patterns near the cap, or `$ref` chains that multiply the checks, could still
 * run AnalyzeFile into its 15-minute timeout, then again on every retry. Past this budget the file is rejected with
 * `CUSTOM_SCHEMA_TOO_SLOW` (nothing unchecked is published), the way a timeout never says.
 */
export const defaultCustomSchemaBudgetMs = 180_000;

export interface SchemaVisitorLimits {
  maxTrackedRecords?: number;
  /** @default defaultCustomSchemaBudgetMs */
  customSchemaBudgetMs?: number;
  /** The clock the budget is measured with (tests). @default performance.now */
  now?: () => number;
}

export function createSchemaVisitor(
  expectation: SchemaExpectation,
  findings: FindingSink,
  _options?: AnalysisOptions,
  limits: SchemaVisitorLimits = {},
): SchemaVisitor {
  return new SchemaChecks(expectation, findings, limits);
}

class SchemaChecks implements SchemaVisitor {
  private records = 0;
  private readonly familyCounts = new Map<SchemaFamily, { count: number; firstLine: number }>();
  private withoutSystem = 0;
  private firstWithoutSystem = 0;
  private chatRecords = 0;
  private duplicates = 0;
  private duplicateLimitLine = 0;
  private readonly duplicateDetector: DuplicateDetector;
  private readonly custom: CustomValidator | undefined;
  private customBroken = false;
  private customSpentMs = 0;
  private readonly customBudgetMs: number;
  private readonly now: () => number;

  constructor(
    private readonly expectation: SchemaExpectation,
    private readonly findings: FindingSink,
    limits: SchemaVisitorLimits,
  ) {
    this.duplicateDetector = new DuplicateDetector(limits.maxTrackedRecords ?? defaultMaxTrackedRecords);
    this.customBudgetMs = limits.customSchemaBudgetMs ?? defaultCustomSchemaBudgetMs;
    this.now = limits.now ?? (() => performance.now());
    if (expectation.kind === 'custom') this.custom = this.compile(expectation.name, expectation.jsonSchema);
  }

  onRecord(record: unknown, at: RecordLocation): void {
    this.records++;
    this.checkFamily(record, at);
    this.checkDuplicate(record, at);
  }

  onEnd(): void {
    this.reportMixedFamilies();
    if (this.withoutSystem > 0) {
      this.warn({
        code: 'NO_SYSTEM_MESSAGE',
        line: this.firstWithoutSystem,
        message: `${this.withoutSystem} of ${this.chatRecords} chat examples have no system message (the first on line ${this.firstWithoutSystem}).`,
      });
    }
    if (this.records > 0 && this.records < minExamples) {
      this.warn({
        code: 'TOO_FEW_EXAMPLES',
        message: `The file has ${this.records} example(s); fine-tuning needs at least ${minExamples}.`,
      });
    }
    if (this.duplicates > maxListedDuplicates) {
      this.warn({
        code: 'DUPLICATE_EXAMPLE',
        message: `${this.duplicates} examples duplicate an earlier one in all; ${this.duplicates - maxListedDuplicates} are not listed individually.`,
      });
    }
    if (this.duplicateLimitLine > 0) {
      this.warn({
        code: 'DUPLICATE_CHECK_LIMITED',
        line: this.duplicateLimitLine,
        message: `Duplicates were checked up to line ${this.duplicateLimitLine} only (memory bound on distinct examples).`,
      });
    }
  }

  family(): DatasetDescription['schemaFamily'] {
    if (this.expectation.kind === 'custom') return `custom:${this.expectation.name}`;
    if (this.expectation.kind === 'family') return this.expectation.family;
    if (this.familyCounts.size > 1) return 'mixed';
    const [only] = this.familyCounts.keys();
    return only ?? 'unknown';
  }

  private checkFamily(record: unknown, at: RecordLocation): void {
    if (this.expectation.kind === 'custom') {
      if (this.custom && !this.customBroken) this.checkCustom(this.custom, record, at);
      return;
    }
    const family = detectFamily(record);
    if (family === 'chat') this.countSystem(record, at);
    if (this.expectation.kind === 'family') {
      const expected = this.expectation.family;
      if (family !== undefined && family !== expected) {
        this.error({
          code: 'FAMILY_MISMATCH',
          line: at.line,
          message: `Line ${at.line} is a ${family} example, but the upload declared the ${expected} schema.`,
        });
        return;
      }
      this.reportAll(validateRecord(record, expected, at));
      return;
    }
    if (family === undefined) {
      this.error(
        isPlainObject(record)
          ? {
              code: 'UNRECOGNIZED_RECORD',
              line: at.line,
              message: `Line ${at.line} fits no known schema (chat messages, prompt/completion, text/label, preference, text).`,
            }
          : {
              code: 'WRONG_DATA_TYPE',
              line: at.line,
              message: `Line ${at.line} is ${typeName(record)}, not an object.`,
            },
      );
      return;
    }
    const seen = this.familyCounts.get(family);
    if (seen) seen.count++;
    else this.familyCounts.set(family, { count: 1, firstLine: at.line });
    this.reportAll(validateRecord(record, family, at));
  }

  private countSystem(record: unknown, at: RecordLocation): void {
    this.chatRecords++;
    if (!hasSystemMessage(record) && this.withoutSystem++ === 0) this.firstWithoutSystem = at.line;
  }

  private checkDuplicate(record: unknown, at: RecordLocation): void {
    if (this.duplicateDetector.saturated) return;
    const first = this.duplicateDetector.check(record, at.line, at.bytes);
    if (this.duplicateDetector.saturated) this.duplicateLimitLine = at.line;
    if (first === undefined) return;
    if (++this.duplicates <= maxListedDuplicates) {
      this.warn({
        code: 'DUPLICATE_EXAMPLE',
        line: at.line,
        message: `Line ${at.line} duplicates line ${first}.`,
      });
    }
  }

  private reportMixedFamilies(): void {
    if (this.expectation.kind !== 'auto' || this.familyCounts.size < 2) return;
    const families = [...this.familyCounts.entries()].sort((a, b) => b[1].count - a[1].count);
    const minority = families[families.length - 1] as (typeof families)[number];
    const counts = families.map(([family, { count }]) => `${count} ${family}`).join(', ');
    this.error({
      code: 'MIXED_FAMILIES',
      line: minority[1].firstLine,
      message: `The file mixes example families (${counts}); the first ${minority[0]} example is on line ${minority[1].firstLine}. Use one format per file.`,
    });
  }

  private checkCustom(custom: CustomValidator, record: unknown, at: RecordLocation): void {
    const started = this.now();
    this.reportAll(custom(record, at));
    this.customSpentMs += this.now() - started;
    if (this.customSpentMs <= this.customBudgetMs) return;
    this.customBroken = true;
    const name = this.expectation.kind === 'custom' ? this.expectation.name : '';
    const seconds = Math.round(this.customBudgetMs / 1000);
    this.error({
      code: 'CUSTOM_SCHEMA_TOO_SLOW',
      line: at.line,
      message: `Checking records against the registered schema "${name}" took more than ${seconds} s (records after line ${at.line} were not checked), so the file is not accepted unchecked. Make the schema cheaper (shorter counted repeats in patterns, maxLength before pattern, fewer nested $ref), register it under a new name and upload again.`,
    });
  }

  private compile(name: string, jsonSchema: Record<string, unknown>): CustomValidator | undefined {
    try {
      return compileCustomSchema(name, jsonSchema);
    } catch (error) {
      this.customBroken = true;
      this.error({
        code: 'INVALID_CUSTOM_SCHEMA',
        // Ajv's error, or a pattern registered before a rule that now refuses it.
        message: `The registered schema "${name}" does not compile: ${error instanceof Error ? error.message : String(error)}. Register a corrected document under a new name.`,
      });
      return undefined;
    }
  }

  private reportAll(list: Finding[]): void {
    for (const finding of list) this.findings.report(finding);
  }

  private error(finding: Omit<Finding, 'severity'>): void {
    this.findings.report({ severity: 'error', ...finding });
  }

  private warn(finding: Omit<Finding, 'severity'>): void {
    this.findings.report({ severity: 'warning', ...finding });
  }
}
