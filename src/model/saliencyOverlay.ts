/**
 * Saliency map -> 8-bit heat values for drawing over the radiograph (pure, no tensors). Gradient maps are
 * dominated by a few extreme pixels, so a plain min-max scale would leave the image almost black: the values are
 * clipped to the [100 - p, p] percentile range first (p = 99 by default, the usual choice for saliency displays)
 * and that range is stretched linearly to 0..255.
 */

export interface OverlayOptions {
  /** upper percentile kept, in (50, 100]; the lower clip is the mirror percentile 100 - p. 100 = min-max. */
  percentileClip?: number;
}

export const DEFAULT_PERCENTILE_CLIP = 99;

/**
 * q-th percentile (0..100) of ascending `sorted` with linear interpolation between the closest ranks
 * (Hyndman & Fan 1996 definition 7, numpy.percentile's default). Local: src/model/ may not import src/train/.
 */
function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('percentile of no values');
  const rank = (q / 100) * (n - 1);
  const below = Math.floor(rank);
  const above = Math.min(below + 1, n - 1);
  return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
}

/**
 * map: H*W values (row-major, e.g. `await saliency.map.data()`) -> Uint8Array of H*W heat values 0..255.
 * Non-finite values get 0 and are left out of the percentiles; a constant map is all 0.
 */
export function saliencyOverlay(map: ArrayLike<number>, opts: OverlayOptions = {}): Uint8Array {
  const p = opts.percentileClip ?? DEFAULT_PERCENTILE_CLIP;
  if (!(p > 50 && p <= 100)) throw new Error(`percentileClip must be in (50, 100], got ${p}`);
  const finite = Float64Array.from(Array.prototype.filter.call(map, Number.isFinite) as number[]).sort();
  const heat = new Uint8Array(map.length);
  if (finite.length === 0) return heat;
  const lo = percentileOfSorted(finite, 100 - p);
  const hi = percentileOfSorted(finite, p);
  if (!(hi > lo)) return heat;
  const scale = 255 / (hi - lo);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) continue;
    heat[i] = Math.round(Math.min(Math.max((v - lo) * scale, 0), 255));
  }
  return heat;
}
