/**
 * Resampling of one-channel images, in floats, separable (rows then columns).
 * Downscaling averages the exact source area under each output pixel (a box filter with fractional
 * coverage, as Pillow's Image.BOX and OpenCV's INTER_AREA): every source pixel counts, so no aliasing from
 * 1024 or 2,800 px down to 224. Upscaling is bilinear with half-pixel centres (Pillow / OpenCV convention).
 */

interface Tap {
  /** first source index */
  start: number;
  weights: Float32Array;
}

function areaTaps(inSize: number, outSize: number): Tap[] {
  const scale = inSize / outSize;
  const taps: Tap[] = [];
  for (let o = 0; o < outSize; o++) {
    const from = o * scale;
    const to = (o + 1) * scale;
    const start = Math.floor(from);
    const end = Math.min(inSize, Math.ceil(to - 1e-9));
    const weights = new Float32Array(end - start);
    for (let i = start; i < end; i++) weights[i - start] = (Math.min(to, i + 1) - Math.max(from, i)) / scale;
    taps.push({ start, weights });
  }
  return taps;
}

function bilinearTaps(inSize: number, outSize: number): Tap[] {
  const scale = inSize / outSize;
  const taps: Tap[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const start = Math.min(Math.floor(centre), Math.max(inSize - 2, 0));
    const frac = centre - start;
    taps.push(inSize === 1 ? { start: 0, weights: Float32Array.of(1) } : { start, weights: Float32Array.of(1 - frac, frac) });
  }
  return taps;
}

function tapsFor(inSize: number, outSize: number): Tap[] {
  return outSize <= inSize ? areaTaps(inSize, outSize) : bilinearTaps(inSize, outSize);
}

/** Resizes a width x height single-channel image to outWidth x outHeight (stretching, no crop). */
export function resizeGray(
  src: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number = outWidth,
): Float32Array {
  if (src.length !== width * height) throw new Error(`resizeGray: ${src.length} values for ${width} x ${height}`);
  const xTaps = tapsFor(width, outWidth);
  const yTaps = tapsFor(height, outHeight);
  const rows = new Float32Array(outWidth * height); // [height, outWidth]
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = xTaps[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += src[row + start + k] * weights[k];
      rows[y * outWidth + x] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight); // [outHeight, outWidth]
  for (let y = 0; y < outHeight; y++) {
    const { start, weights } = yTaps[y];
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k];
      const from = (start + k) * outWidth;
      for (let x = 0; x < outWidth; x++) out[y * outWidth + x] += rows[from + x] * w;
    }
  }
  return out;
}

/** Rounds floats already in [0, 255] to bytes (clamping guards against float drift at the ends). */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(values[i])));
  return out;
}
