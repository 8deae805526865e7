/**
 * SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise"): the mean of a saliency map over
 * noisy copies of the image, M(x) = 1/n sum_k M(x + e_k), e_k ~ N(0, sigma^2), with sigma a fraction of the
 * input's range (the paper's noise level sigma / (x_max - x_min), 10-20 % recommended). Here M is gradient x input
 * (gradientSaliency.ts) evaluated at the noisy copy, averaged signed and made absolute at the end, so one sample
 * without noise is exactly gradient x input.
 * The noise comes from the lab's seeded PRNG (mulberry32 + Box-Muller), so a seed gives the same map on every
 * backend, and the copies go through the model a batch at a time: a few forward/backward passes instead of n.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../run/random';
import { batchGradientTimesInput, checkLabelIndex, checkSingleImage } from './gradientSaliency';
import type { VitModel } from './vit';

export interface SmoothGradOptions {
  /** noisy copies averaged (n); >= 1 */
  samples: number;
  /** noise standard deviation as a fraction of the image's value range (max - min); 0 = no noise */
  noiseStd: number;
  seed: number;
  /** copies per forward/backward pass (default 16): more is faster until memory runs short */
  batchSize?: number;
}

export interface SmoothGradMap {
  /** |mean_k sum_c (x + e_k)_c g_c(x + e_k)|, [H, W] */
  map: tf.Tensor2D;
  /** the signed mean before the absolute value, [H, W] */
  signed: tf.Tensor2D;
}

export const SMOOTH_GRAD_BATCH = 16;

/**
 * Standard normal draws from mulberry32(seed) by the Box-Muller transform (Box & Muller 1958), both values of each
 * pair used in order; `fill` continues the same stream, so filling in chunks gives the values of one long fill.
 */
export function seededNormals(seed: number): (out: Float32Array) => Float32Array {
  const random = mulberry32(seed);
  let spare: number | null = null;
  return (out) => {
    for (let i = 0; i < out.length; i++) {
      if (spare !== null) {
        out[i] = spare;
        spare = null;
        continue;
      }
      const radius = Math.sqrt(-2 * Math.log(1 - random())); // 1 - u lies in (0, 1]: no log(0)
      const angle = 2 * Math.PI * random();
      out[i] = radius * Math.cos(angle);
      spare = radius * Math.sin(angle);
    }
    return out;
  };
}

function validate(o: SmoothGradOptions): number {
  if (!Number.isInteger(o.samples) || o.samples < 1) throw new Error(`samples must be a whole number >= 1, got ${o.samples}`);
  if (!(o.noiseStd >= 0) || !Number.isFinite(o.noiseStd)) throw new Error(`noiseStd must be a finite number >= 0, got ${o.noiseStd}`);
  if (!Number.isInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`);
  const batch = o.batchSize ?? SMOOTH_GRAD_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batchSize must be a whole number >= 1, got ${batch}`);
  return batch;
}

/** SmoothGrad of gradient x input for `labelIndex` on one normalised image [1, C, H, W]. */
export function smoothGrad(model: VitModel, image: tf.Tensor4D, labelIndex: number, opts: SmoothGradOptions): SmoothGradMap {
  checkSingleImage(image);
  checkLabelIndex(model, labelIndex);
  const batchSize = validate(opts);
  const [, c, h, w] = image.shape;
  const normals = seededNormals(opts.seed);
  return tf.tidy(() => {
    // sigma stays a tensor: the image's range is never read back to the CPU.
    const sigma = tf.mul(tf.sub(tf.max(image), tf.min(image)), opts.noiseStd);
    let total: tf.Tensor2D = tf.zeros([h, w]);
    for (let start = 0; start < opts.samples; start += batchSize) {
      const n = Math.min(batchSize, opts.samples - start);
      const noise = normals(new Float32Array(n * c * h * w));
      const partSum = tf.tidy(() => {
        const noisy = tf.add(image, tf.mul(tf.tensor4d(noise, [n, c, h, w]), sigma)) as tf.Tensor4D; // [n, C, H, W]
        return tf.sum(batchGradientTimesInput(model, noisy, labelIndex).signed, 0) as tf.Tensor2D; // [H, W]
      });
      const next = tf.add(total, partSum) as tf.Tensor2D;
      tf.dispose([total, partSum]);
      total = next;
    }
    const signed = tf.div(total, opts.samples) as tf.Tensor2D;
    return { map: tf.abs(signed), signed };
  });
}
