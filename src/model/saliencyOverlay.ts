/**
 * Saliency map -> 8-bit heat values for drawing over the radiograph (pure, no tensors). Gradient maps are
 * dominated by a few extreme pixels, so a plain min-max scale would leave the image almost black: the values are
 * clipped to the [100 - p, p] percentile range first (p = 99 by default, the usual choice for saliency displays)
 * and that range is stretched linearly to 0..255.
 */
import { percentileOfSorted } from '../run/percentile';

export interface OverlayOptions {
  /** upper percentile kept, in (50, 100]; the lower clip is the mirror percentile 100 - p. 100 = min-max. */
  percentileClip?: number;
}

export const DEFAULT_PERCENTILE_CLIP = 99;

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
