/**
 * Resampling of a ViT's absolute position embedding to another patch grid, as MAE's
 * util/pos_embed.py `interpolate_pos_embed` (used by the study's fine-tuning code) does it:
 * prefix tokens (CLS) kept, the grid part resized with torch.nn.functional.interpolate(mode='bicubic',
 * align_corners=False) and no antialiasing. (Recent timm's resample_abs_pos_embed defaults to antialias=True,
 * which changes the kernel; the lab follows the MAE/MRM code the study ran.)
 * Kernel: Keys' cubic convolution with A = -0.75 and clamped borders, as ATen's upsample_bicubic2d
 * (aten/src/ATen/native/UpSample.h: cubic_convolution1/2, area_pixel_compute_source_index).
 */

const A = -0.75;

function cubicWeights(t: number): [number, number, number, number] {
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/** For each output index: the 4 clamped source indices and their weights along one axis. */
function axisTaps(inSize: number, outSize: number): { index: number[]; weight: number[] }[] {
  const scale = inSize / outSize;
  const taps = [];
  for (let o = 0; o < outSize; o++) {
    const real = scale * (o + 0.5) - 0.5; // align_corners=False, not clamped at 0 for cubic
    const base = Math.floor(real);
    const weight = cubicWeights(real - base);
    const index = [-1, 0, 1, 2].map((k) => Math.min(Math.max(base + k, 0), inSize - 1));
    taps.push({ index, weight });
  }
  return taps;
}

/**
 * data: pos_embed values [1, prefix + oldH * oldW, dim] row-major; returns [1, prefix + newH * newW, dim].
 */
export function resamplePosEmbed(
  data: Float32Array,
  oldGrid: [number, number],
  newGrid: [number, number],
  dim: number,
  prefixTokens = 1,
): Float32Array {
  const [oldH, oldW] = oldGrid;
  const [newH, newW] = newGrid;
  if (data.length !== (prefixTokens + oldH * oldW) * dim) {
    throw new Error(`pos_embed has ${data.length} values, expected ${(prefixTokens + oldH * oldW) * dim} for a ${oldH}x${oldW} grid`);
  }
  const out = new Float32Array((prefixTokens + newH * newW) * dim);
  out.set(data.subarray(0, prefixTokens * dim));
  const rows = axisTaps(oldH, newH);
  const cols = axisTaps(oldW, newW);
  const grid = (y: number, x: number, c: number) => data[(prefixTokens + y * oldW + x) * dim + c];
  for (let y = 0; y < newH; y++) {
    for (let x = 0; x < newW; x++) {
      const dst = (prefixTokens + y * newW + x) * dim;
      for (let c = 0; c < dim; c++) {
        // As ATen: interpolate each of the 4 source rows along x, then those 4 values along y.
        let sum = 0;
        for (let i = 0; i < 4; i++) {
          const sy = rows[y].index[i];
          let rowValue = 0;
          for (let j = 0; j < 4; j++) rowValue += cols[x].weight[j] * grid(sy, cols[x].index[j], c);
          sum += rows[y].weight[i] * rowValue;
        }
        out[dst + c] = sum;
      }
    }
  }
  return out;
}
