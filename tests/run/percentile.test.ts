/** percentileOfSorted against numpy.percentile's default linear method (goldens: scripts/golden_eval_metrics.py). */
import { describe, expect, it } from 'vitest';
import { percentileOfSorted } from '../../src/run/percentile';
import { loadEvalMetrics } from '../train/evalMetricsGolden';

const golden = loadEvalMetrics();

describe('percentileOfSorted as numpy.percentile', () => {
  it.each(golden.percentile.map((c) => [c.sorted.length, c] as const))('%i values', (_n, c) => {
    c.q.forEach((q, i) => expect(percentileOfSorted(c.sorted, q), `q = ${q}`).toBe(c.percentiles[i]));
  });

  it('rejects no values and q outside [0, 100]', () => {
    expect(() => percentileOfSorted([], 50)).toThrow(RangeError);
    expect(() => percentileOfSorted([1, 2], 101)).toThrow(RangeError);
    expect(() => percentileOfSorted([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
