import type { Finding, FindingSink, FindingSummary } from './types.js';

/** Keeps the first `maxKept` errors and warnings, and counts every finding by code. */
export class FindingCollector implements FindingSink {
  private readonly errors: Finding[] = [];
  private readonly warnings: Finding[] = [];
  private errorCount = 0;
  private warningCount = 0;
  private readonly countsByCode: Record<string, number> = {};

  constructor(private readonly maxKept = 100) {}

  report(finding: Finding): void {
    this.countsByCode[finding.code] = (this.countsByCode[finding.code] ?? 0) + 1;
    if (finding.severity === 'error') {
      this.errorCount++;
      if (this.errors.length < this.maxKept) this.errors.push(finding);
    } else {
      this.warningCount++;
      if (this.warnings.length < this.maxKept) this.warnings.push(finding);
    }
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  summary(): FindingSummary {
    return {
      errors: [...this.errors],
      errorCount: this.errorCount,
      warnings: [...this.warnings],
      warningCount: this.warningCount,
      countsByCode: { ...this.countsByCode },
    };
  }
}
