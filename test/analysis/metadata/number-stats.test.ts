import { describe, expect, it } from 'vitest';
import { numberStats } from '../../../lambdas/analysis/metadata/number-stats.js';

describe('numberStats', () => {
  it('keeps min, mean, max and total of the values added', () => {
    // Prepare
    const stats = numberStats();

    // Act
    for (const value of [4, 1, 7]) stats.add(value);

    // Assess
    expect(stats.stats()).toEqual({ min: 1, mean: 4, max: 7, total: 12 });
    expect(stats.count).toBe(3);
  });

  it('answers undefined before any value', () => {
    // Act
    const result = numberStats().stats();

    // Assess
    expect(result).toBeUndefined();
  });
});
