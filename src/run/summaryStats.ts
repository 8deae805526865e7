/**
 * The few statistics the results table reports over seeds: count, mean, sample standard deviation, range. Pure and
 * null-safe: callers pass only the values that exist (an undefined AUROC is left out, never read as 0 or 0.5).
 */

/** A mean over the values that exist, with how many there were (mean null when none). */
export interface MeanOf {
  n: number;
  mean: number | null;
}

/** Mean, sample sd (n - 1 in the denominator; null below two values) and range of a set of seeds' values. */
export interface SeedSummary extends MeanOf {
  sd: number | null;
  min: number | null;
  max: number | null;
}

export function meanOf(values: readonly number[]): MeanOf {
  if (values.length === 0) return { n: 0, mean: null };
  let sum = 0;
  for (const v of values) sum += v;
  return { n: values.length, mean: sum / values.length };
}

/**
 * Sample standard deviation, sqrt(sum((x - mean)^2) / (n - 1)) (Bessel's correction, as numpy.std(ddof=1) and
 * the "mean ± sd over seeds" of papers); two passes, so a large common offset does not cancel digits. Null for
 * fewer than two values: the spread of one seed is unknown, not 0.
 */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const { mean } = meanOf(values);
  let squares = 0;
  for (const v of values) squares += (v - (mean as number)) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

export function summarizeSeeds(values: readonly number[]): SeedSummary {
  const { n, mean } = meanOf(values);
  if (n === 0) return { n, mean, sd: null, min: null, max: null };
  return { n, mean, sd: sampleSd(values), min: Math.min(...values), max: Math.max(...values) };
}
