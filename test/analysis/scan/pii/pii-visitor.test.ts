import { describe, expect, it } from 'vitest';
import { createPiiVisitor, PII_TYPES } from '../../../../lambdas/analysis/scan/pii/index.js';
import { MAX_SAMPLES, SAMPLES_PER_TYPE } from '../../../../lambdas/analysis/scan/scan-types.js';
import type { RecordVisitor } from '../../../../lambdas/analysis/types.js';
import { chat, jsonl, parse } from '../../formats/parse-helpers.js';
import { type LabelledItem, labelledCorpus, sentence } from './labelled-corpus.js';

/** Runs the visitor over records as the pass does and answers its summary. */
function scan(records: unknown[]) {
  const visitor = createPiiVisitor();
  records.forEach((record, index) => {
    visitor.onRecord(record, { line: index + 1, index });
  });
  visitor.onEnd?.();
  return visitor.summary();
}

/** A visitor that scans each record on its own, so findings can be matched to labels by line. */
function perRecordCounts(): RecordVisitor & { byLine: Map<number, Record<string, number>> } {
  const byLine = new Map<number, Record<string, number>>();
  return {
    byLine,
    onRecord(record, at) {
      const visitor = createPiiVisitor();
      visitor.onRecord(record, at);
      byLine.set(at.line, visitor.summary().counts);
    },
  };
}

interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

function score(labelled: LabelledItem[], found: Record<string, number>[]): Map<string, Score> {
  const scores = new Map<string, Score>(
    PII_TYPES.map((type) => [type, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]),
  );
  labelled.forEach((item, i) => {
    for (const type of PII_TYPES) {
      const expected = item.type === type ? 1 : 0;
      const got = found[i]?.[type] ?? 0;
      const s = scores.get(type) as Score;
      s.truePositives += Math.min(expected, got);
      s.falsePositives += Math.max(0, got - expected);
      s.falseNegatives += Math.max(0, expected - got);
    }
  });
  return scores;
}

const precision = (s: Score) => s.truePositives / Math.max(1, s.truePositives + s.falsePositives);
const recall = (s: Score) => s.truePositives / Math.max(1, s.truePositives + s.falseNegatives);

describe('createPiiVisitor', () => {
  it('reports a Luhn-valid card and a valid SSN once each, and a Luhn-invalid number and 000-12-3456 not at all', async () => {
    // Prepare
    const text = jsonl(
      chat('My card is 4111 1111 1111 1111 and my SSN is 536-22-1234.', 'Thanks, noted.'),
      chat('Try 4111 1111 1111 1112 or SSN 000-12-3456.', 'Those look wrong.'),
    );
    const visitor = createPiiVisitor();

    // Act
    await parse('jsonl', text, { visitors: [visitor] });

    // Assess
    const summary = visitor.summary();
    expect(summary.counts).toEqual({ CREDIT_CARD: 1, US_SSN: 1 });
    expect(summary.total).toBe(2);
    expect(summary.samples).toEqual([
      { type: 'CREDIT_CARD', line: 1, field: 'messages[0].content', masked: '4111********1111' },
      { type: 'US_SSN', line: 1, field: 'messages[0].content', masked: '***-**-1234' },
    ]);
  });

  it('locates findings in CSV records by column name and row line', async () => {
    // Prepare
    const text = 'id,name,contact\n1,Ann,ann.lee@example.com\n2,Bob,"+1 (415) 555-2671"\n';
    const visitor = createPiiVisitor();

    // Act
    await parse('csv', text, { visitors: [visitor] });

    // Assess
    expect(visitor.summary().samples).toEqual([
      { type: 'EMAIL_ADDRESS', line: 2, field: 'contact', masked: 'a***@example.com' },
      { type: 'PHONE_NUMBER', line: 3, field: 'contact', masked: '+* (***) ***-**71' },
    ]);
  });

  it('masks every type and never puts a raw value in the summary', () => {
    // Prepare
    const raws = [
      '4111 1111 1111 1111',
      '4111111111111111',
      '536-22-1234',
      'GB82 WEST 1234 5698 7654 32',
      'GB82WEST12345698765432',
      'john.doe@example.com',
      '+1 415-555-2671',
      '415-555-2671',
      '203.0.113.77',
      '2001:db8::8a2e:370:7334',
      '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
      '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
    ];

    // Act
    const summary = scan([{ text: raws.join(' , ') }]);

    // Assess
    expect(summary.counts).toEqual({
      CREDIT_CARD: 2,
      US_SSN: 1,
      IBAN_CODE: 2,
      EMAIL_ADDRESS: 1,
      PHONE_NUMBER: 2,
      IP_ADDRESS: 2,
      CRYPTO: 3,
    });
    const serialized = JSON.stringify(summary);
    for (const raw of raws) {
      expect(serialized).not.toContain(raw);
      expect(serialized).not.toContain(raw.replace(/[ -]/g, ''));
    }
  });

  it('counts a card stored as a JSON number and walks nested arrays and objects', () => {
    // Act
    const summary = scan([{ payment: { cards: [{ number: 4111111111111111 }] } }]);

    // Assess
    expect(summary.samples).toEqual([
      { type: 'CREDIT_CARD', line: 1, field: 'payment.cards[0].number', masked: '4111********1111' },
    ]);
  });

  it('does not report bare digit runs as phone numbers or SSNs', () => {
    // Act
    const summary = scan([{ text: 'ids 4155552671 and 536221234, year 2024, total 1234567' }]);

    // Assess
    expect(summary.total).toBe(0);
  });

  it(`keeps exact counts but at most ${SAMPLES_PER_TYPE} samples per type and ${MAX_SAMPLES} in all`, () => {
    // Act
    const summary = scan(Array.from({ length: 40 }, () => ({ text: 'write to a.b@example.com' })));

    // Assess
    expect(summary.counts.EMAIL_ADDRESS).toBe(40);
    expect(summary.samples).toHaveLength(SAMPLES_PER_TYPE);
  });

  it('reaches 0.99 precision and 0.98 recall on the checksum-validated types over a labelled corpus in JSONL and CSV', async () => {
    // Prepare: each labelled value in its own record, alternately a chat line and a CSV row.
    const corpus = labelledCorpus();
    expect(corpus.length).toBeGreaterThan(1500);
    const chatItems = corpus.filter((_, i) => i % 2 === 0);
    const csvItems = corpus.filter((_, i) => i % 2 === 1);
    const chatText = jsonl(
      ...chatItems.map((item, i) =>
        chat(sentence(i, item.raw), 'I cannot store personal data.', 'Be brief.'),
      ),
    );
    const csvText = `id,customer,note\n${csvItems.map((item, i) => `${i},"Customer ${i}","${sentence(i, item.raw)}"`).join('\n')}\n`;
    const chatCounts = perRecordCounts();
    const csvCounts = perRecordCounts();

    // Act
    await parse('jsonl', chatText, { visitors: [chatCounts] });
    await parse('csv', csvText, { visitors: [csvCounts] });

    // Assess
    const scores = score(
      [...chatItems, ...csvItems],
      [
        ...chatItems.map((_, i) => chatCounts.byLine.get(i + 1) ?? {}),
        ...csvItems.map((_, i) => csvCounts.byLine.get(i + 2) ?? {}),
      ],
    );
    const table = [...scores].map(([type, s]) => ({
      type,
      labelled: s.truePositives + s.falseNegatives,
      ...s,
      precision: precision(s).toFixed(4),
      recall: recall(s).toFixed(4),
    }));
    console.table(table);
    for (const type of ['CREDIT_CARD', 'US_SSN', 'IBAN_CODE', 'CRYPTO']) {
      const s = scores.get(type) as Score;
      expect(s.truePositives + s.falseNegatives, type).toBeGreaterThanOrEqual(150);
      expect(precision(s), type).toBeGreaterThanOrEqual(0.99);
      expect(recall(s), type).toBeGreaterThanOrEqual(0.98);
    }
    for (const type of ['EMAIL_ADDRESS', 'PHONE_NUMBER', 'IP_ADDRESS']) {
      const s = scores.get(type) as Score;
      expect(precision(s), type).toBeGreaterThanOrEqual(0.95);
      expect(recall(s), type).toBeGreaterThanOrEqual(0.95);
    }
  });
});
