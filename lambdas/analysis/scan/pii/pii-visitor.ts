import type { RecordVisitor } from '../../types.js';
import { type DetectionSummary, DetectionTally } from '../scan-types.js';
import { findPii } from './find-pii.js';
import { forEachString } from './record-strings.js';

export type PiiVisitor = RecordVisitor & {
  /** Counts per Presidio entity type and masked sample locations; never a raw value. */
  summary(): DetectionSummary;
};

/**
 * Scans every string value of every record (recursively, see `record-strings.ts` for the bounds)
 * for the entities of `find-pii.ts`: `CREDIT_CARD`, `US_SSN`, `IBAN_CODE`, `EMAIL_ADDRESS`,
 * `PHONE_NUMBER`, `IP_ADDRESS`, `CRYPTO`. Memory is bounded by the tally: exact counts per type
 * and the first few masked samples.
 */
export function createPiiVisitor(): PiiVisitor {
  const tally = new DetectionTally();
  return {
    onRecord(record, at) {
      forEachString(
        record,
        (text, fieldPath) => {
          findPii(text, (type, masked) => {
            const field = fieldPath();
            tally.add({ type, line: at.line, ...(field === undefined ? {} : { field }), masked });
          });
        },
        { longIntegers: true },
      );
    },
    summary: () => tally.summary(),
  };
}
