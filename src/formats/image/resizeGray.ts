/**
 * Resampling of one-channel images, in floats, separable (rows then columns).
 * Downscaling averages the exact source area under each output pixel (a box filter with fractional
 * coverage, as Pillow's Image.BOX and OpenCV's INTER_AREA): every source pixel counts, so no aliasing from
 * 1024 or 2,800 px down to 224. Upscaling is bilinear with half-pixel centres (Pillow / OpenCV convention).
 * `RowResizer` takes the source a row at a time (large images never held whole); `resizeGray` feeds it an array.
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

/**
 * The same resize fed one source row at a time, so a decoder that produces rows (the streaming PNG decoder, the
 * DICOM row loop) never holds the source image: memory is one row of outWidth floats plus the output. Every
 * output pixel receives its source rows' contributions in ascending row order, exactly as `resizeGray` adds them,
 * so both give bit-identical float32 results.
 */
export class RowResizer {
  private readonly xTaps: Tap[];
  /** Output rows' taps; their starts and ends never decrease, so the rows a source row feeds form a sliding window. */
  private readonly yTaps: Tap[];
  private firstTarget = 0;
  private readonly out: Float32Array; // [outHeight, outWidth]
  private readonly scratch: Float32Array; // one resized source row, [outWidth]
  private nextRow = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly outWidth: number,
    readonly outHeight: number = outWidth,
  ) {
    if (!(width > 0 && height > 0 && outWidth > 0 && outHeight > 0)) throw new Error(`RowResizer: empty size ${width} x ${height} -> ${outWidth} x ${outHeight}`);
    // O(output) set-up whatever the source size: a header that claims a million rows costs nothing until they come.
    this.xTaps = tapsFor(width, outWidth);
    this.yTaps = tapsFor(height, outHeight);
    this.out = new Float32Array(outWidth * outHeight);
    this.scratch = new Float32Array(outWidth);
  }

  /** Source rows arrive top to bottom; `row` holds `width` values (from `offset`). */
  pushRow(row: ArrayLike<number>, offset = 0): void {
    if (this.nextRow >= this.height) throw new Error('RowResizer: more rows than the image height');
    const { xTaps, yTaps, scratch, outWidth, out } = this;
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = xTaps[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += row[offset + start + k] * weights[k];
      scratch[x] = sum;
    }
    const r = this.nextRow;
    while (this.firstTarget < yTaps.length && yTaps[this.firstTarget].start + yTaps[this.firstTarget].weights.length <= r) this.firstTarget++;
    for (let y = this.firstTarget; y < yTaps.length && yTaps[y].start <= r; y++) {
      const k = r - yTaps[y].start;
      if (k >= yTaps[y].weights.length) continue;
      const weight = yTaps[y].weights[k];
      const base = y * outWidth;
      for (let x = 0; x < outWidth; x++) out[base + x] += scratch[x] * weight;
    }
    this.nextRow++;
  }

  get rowsPushed(): number {
    return this.nextRow;
  }

  result(): Float32Array {
    if (this.nextRow !== this.height) throw new Error(`RowResizer: ${this.nextRow} of ${this.height} rows pushed`);
    return this.out;
  }
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
  const resizer = new RowResizer(width, height, outWidth, outHeight);
  for (let y = 0; y < height; y++) resizer.pushRow(src, y * width);
  return resizer.result();
}

/** Rounds floats already in [0, 255] to bytes (clamping guards against float drift at the ends). */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(values[i])));
  return out;
}
