import type { Finding, FindingSink, FindingSummary } from './types.js';

/** Longest message and field path kept: a finding can quote user keys or a schema's enum. */
const maxMessageChars = 1000;
const maxFieldChars = 200;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** A finding with its user-influenced strings bounded, so reports and results stay small. */
function bounded(finding: Finding): Finding {
  if (finding.message.length <= maxMessageChars && (finding.field?.length ?? 0) <= maxFieldChars)
    return finding;
  return {
    ...finding,
    message: cut(finding.message, maxMessageChars),
    ...(finding.field !== undefined ? { field: cut(finding.field, maxFieldChars) } : {}),
  };
}

/** Keeps the first `maxKept` errors and warnings, and counts every finding by code. */
export class FindingCollector implements FindingSink {
  private readonly errors: Finding[] = [];
  private readonly warnings: Finding[] = [];
  private errorCount = 0;
  private warningCount = 0;
  private readonly countsByCode: Record<string, number> = {};

  constructor(private readonly maxKept = 100) {}

  report(reported: Finding): void {
    const finding = bounded(reported);
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
