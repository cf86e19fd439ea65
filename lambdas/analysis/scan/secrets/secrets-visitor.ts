import type { RecordVisitor } from '../../types.js';
import { forEachString } from '../pii/record-strings.js';
import { type DetectionSummary, DetectionTally } from '../scan-types.js';
import { findSecrets } from './find-secrets.js';

export type SecretsVisitor = RecordVisitor & {
  /** Counts per gitleaks rule id and masked sample locations; never a raw value. */
  summary(): DetectionSummary;
};

/**
 * Scans every string value of every record for credentials (the rules of `rules.ts`: cloud keys,
 * private keys, GitHub, OpenAI, Anthropic, Hugging Face, Slack, Google, Stripe tokens ...).
 * Most strings cost one keyword test. Memory is bounded by the tally.
 */
export function createSecretsVisitor(): SecretsVisitor {
  const tally = new DetectionTally();
  return {
    onRecord(record, at) {
      forEachString(record, (text, fieldPath) => {
        const fieldName = () => lastSegment(fieldPath());
        findSecrets(
          text,
          (type, masked) => {
            const field = fieldPath();
            tally.add({ type, line: at.line, ...(field === undefined ? {} : { field }), masked });
          },
          fieldName,
        );
      });
    },
    summary: () => tally.summary(),
  };
}

function lastSegment(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
}
