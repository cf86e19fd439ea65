import { describe, expect, it } from 'vitest';
import {
  createLabelsVisitor,
  MAX_DISTINCT_LABELS,
  TOP_LABELS,
} from '../../../lambdas/analysis/metadata/labels.js';
import { feed } from './chat-fixtures.js';

describe('createLabelsVisitor', () => {
  it('counts the labels of classification records, most frequent first', () => {
    // Prepare
    const visitor = createLabelsVisitor();

    // Act
    feed(visitor, [
      { text: 'great', label: 'positive' },
      { text: 'awful', label: 'negative' },
      { text: 'fine', label: 'positive' },
      { text: 'meh', label: 3 },
      { text: 'odd', label: '__proto__' },
      { text: 'no label' },
      { prompt: 'not classification', label: 'x' },
    ]);

    // Assess
    const result = visitor.labels();
    expect(result?.labels).toEqual({ positive: 2, negative: 1, '3': 1, ['__proto__']: 1 });
    expect(result?.labelsOther).toBe(0);
  });

  it(`keeps the top ${TOP_LABELS} labels and sums the rest as other`, () => {
    // Prepare: label i appears i + 1 times.
    const records = Array.from({ length: 150 }, (_, i) =>
      Array.from({ length: i + 1 }, () => ({ text: 't', label: `l${i}` })),
    ).flat();
    const visitor = createLabelsVisitor();

    // Act
    feed(visitor, records);

    // Assess
    const result = visitor.labels();
    expect(Object.keys(result?.labels ?? {})).toHaveLength(TOP_LABELS);
    expect(result?.labels.l149).toBe(150);
    expect(result?.labels.l49).toBeUndefined();
    expect(result?.labelsOther).toBe((50 * 51) / 2);
  });

  it(`stops tracking new labels after ${MAX_DISTINCT_LABELS} distinct ones and counts them as other`, () => {
    // Prepare
    const records = [
      ...Array.from({ length: MAX_DISTINCT_LABELS }, (_, i) => ({ text: 't', label: `early${i}` })),
      ...Array.from({ length: 500 }, () => ({ text: 't', label: 'late' })),
    ];
    const visitor = createLabelsVisitor();

    // Act
    feed(visitor, records);

    // Assess
    const result = visitor.labels();
    expect(result?.labels.late).toBeUndefined();
    expect(result?.labelsOther).toBe(MAX_DISTINCT_LABELS - TOP_LABELS + 500);
  });

  it('answers undefined when no record has a label', () => {
    // Prepare
    const visitor = createLabelsVisitor();

    // Act
    feed(visitor, [{ text: 'a' }, { messages: [] }]);

    // Assess
    expect(visitor.labels()).toBeUndefined();
  });
});
