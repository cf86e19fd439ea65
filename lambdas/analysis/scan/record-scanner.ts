/**
 * PII and secret detection over one walk of each record's strings: the pass runs both scanners
 * on every string, so walking the record once (not once per scanner) halves the walking and the
 * per-string allocations. The scanners themselves are `findPii` and `findSecrets`; the separate
 * visitors (`createPiiVisitor`, `createSecretsVisitor`) remain for callers that want one.
 */
import type { RecordVisitor } from '../types.js';
import { findPii } from './pii/find-pii.js';
import { forEachString } from './pii/record-strings.js';
import { type DetectionSummary, DetectionTally } from './scan-types.js';
import { findSecrets } from './secrets/find-secrets.js';

export type RecordScanner = RecordVisitor & {
  pii(): DetectionSummary;
  secrets(): DetectionSummary;
};

function lastSegment(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
}

export function createRecordScanner(): RecordScanner {
  const piiTally = new DetectionTally();
  const secretsTally = new DetectionTally();
  let line = 0;
  let fieldPathOf: () => string | undefined = () => undefined;
  const withField = (type: string, masked: string) => {
    const field = fieldPathOf();
    return { type, line, ...(field === undefined ? {} : { field }), masked };
  };
  const reportPii = (type: string, masked: string) => piiTally.add(withField(type, masked));
  const reportSecret = (type: string, masked: string) => secretsTally.add(withField(type, masked));
  const fieldName = () => lastSegment(fieldPathOf());
  return {
    onRecord(record, at) {
      line = at.line;
      forEachString(
        record,
        (text, fieldPath) => {
          fieldPathOf = fieldPath;
          findPii(text, reportPii);
          findSecrets(text, reportSecret, fieldName);
        },
        { longIntegers: true },
      );
    },
    pii: () => piiTally.summary(),
    secrets: () => secretsTally.summary(),
  };
}
