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
import { mayHaveSecretKeyword } from './secrets/rules.js';

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
  let keywords = true;
  let fieldPathOf: () => string | undefined = () => undefined;
  const withField = (type: string, masked: string) => {
    const field = fieldPathOf();
    return { type, line, ...(field === undefined ? {} : { field }), masked };
  };
  const reportPii = (type: string, masked: string) => piiTally.add(withField(type, masked));
  const reportSecret = (type: string, masked: string) => secretsTally.add(withField(type, masked));
  const fieldName = () => lastSegment(fieldPathOf());
  const visit = (text: string, fieldPath: () => string | undefined) => {
    fieldPathOf = fieldPath;
    findPii(text, reportPii);
    findSecrets(text, reportSecret, fieldName, keywords);
  };
  return {
    onRecord(record, at) {
      line = at.line;
      keywords = mayHaveKeywordIn(at.text);
      forEachString(record, visit, { longIntegers: true });
    },
    pii: () => piiTally.summary(),
    secrets: () => secretsTally.summary(),
  };
}

/**
 * Whether any string of a record parsed from `source` may hold a secret keyword: one check of the
 * JSONL line instead of one per string. Sound because every keyword is made of letters, digits,
 * `_`, `-`, `.` and spaces, which JSON writes as themselves unless with a `\u` escape: a keyword
 * in a decoded string is in the line's text too, unless the line has a `\u` (then each string is
 * checked on its own). Integers that the walk hands over as text are digits only, never a keyword.
 */
function mayHaveKeywordIn(source: string | undefined): boolean {
  return source === undefined || source.includes('\\u') || mayHaveSecretKeyword(source);
}
