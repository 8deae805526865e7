/**
 * NumPy's default percentile (method='linear', Hyndman & Fan type 7), to the last bit, so intervals computed
 * here equal numpy.percentile on the same values (numpy/lib/function_base.py: _quantile, _lerp).
 */

/**
 * The q-th percentile (0..100) of values sorted ascending. Virtual index h = (n - 1) · q / 100; between the
 * neighbours a = v[floor h] and b = v[floor h + 1] at weight g = h − floor h, NumPy's _lerp returns a + (b − a) g,
 * or b − (b − a)(1 − g) when g >= 0.5 (kept here: it changes the last bit).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of no values');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile ${q} is outside [0, 100]`);
  const h = (n - 1) * (q / 100);
  const below = Math.floor(h);
  const above = Math.min(below + 1, n - 1);
  const g = h - below;
  const a = sorted[below];
  const b = sorted[above];
  const diff = b - a;
  return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}
