import type { RecordVisitor } from '../types.js';

/** Labels reported one by one; the rest are summed under `labelsOther`. */
export const TOP_LABELS = 100;

/** Distinct labels counted one by one; labels first seen after this many are counted as other. */
export const MAX_DISTINCT_LABELS = 10_000;

export interface LabelDistribution {
  /**
   * Label -> count, for the {@link TOP_LABELS} most frequent labels, inserted most frequent
   * first (JavaScript and JSON objects list integer-like keys such as `"3"` first regardless).
   */
  labels: Record<string, number>;
  /** Records whose label is not among those kept. */
  labelsOther: number;
}

export type LabelsVisitor = RecordVisitor & {
  /** The distribution, or `undefined` when no record had both `text` and a label. */
  labels(): LabelDistribution | undefined;
};

/**
 * Counts the labels of classification records (`text` and `label`). A label is a string, a
 * number or a boolean, counted by its text (`1` and `"1"` are one label); other label values are
 * left to the schema checks.
 *
 * Memory is bounded: at most {@link MAX_DISTINCT_LABELS} distinct labels are counted; a label
 * first seen after that is counted in `labelsOther` (the counts of the labels already known stay
 * exact, so the top labels are exact unless a frequent label only appears late in a file with
 * more than {@link MAX_DISTINCT_LABELS} labels).
 */
export function createLabelsVisitor(): LabelsVisitor {
  const counts = new Map<string, number>();
  let untracked = 0;
  let labelled = 0;

  return {
    onRecord(record) {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) return;
      const object = record as Record<string, unknown>;
      if (!('text' in object)) return;
      const label = labelText(object.label);
      if (label === undefined) return;
      labelled++;
      const count = counts.get(label);
      if (count !== undefined) counts.set(label, count + 1);
      else if (counts.size < MAX_DISTINCT_LABELS) counts.set(label, 1);
      else untracked++;
    },

    labels() {
      if (labelled === 0) return undefined;
      // Stable sort: equal counts keep first-seen order.
      const ranked = [...counts].sort((a, b) => b[1] - a[1]);
      const kept = ranked.slice(0, TOP_LABELS);
      let other = untracked;
      for (let i = TOP_LABELS; i < ranked.length; i++) other += (ranked[i] as [string, number])[1];
      // fromEntries defines own properties, so a label such as `__proto__` is kept as data.
      return { labels: Object.fromEntries(kept), labelsOther: other };
    },
  };
}

/** Longest label kept verbatim; a longer one is cut (classification labels are short). */
const MAX_LABEL_CHARS = 200;

function labelText(label: unknown): string | undefined {
  switch (typeof label) {
    case 'string':
      // Long labels are cut: the map and the result stay bounded whatever a line holds.
      return label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS)}…` : label;
    case 'number':
    case 'boolean':
      return String(label);
    default:
      return undefined;
  }
}
