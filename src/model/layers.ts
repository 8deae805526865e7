/**
 * The few tensor functions the ViT is made of. Weights keep PyTorch's layouts so that checkpoints load
 * without transposes: a Linear weight is [out, in] and is used with matMul(..., transposeB = true).
 */
import * as tf from '@tensorflow/tfjs';

/** y = x W^T + b, x: [M, in], W: [out, in], b: [out] -> [M, out] */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const y = tf.matMul(x, weight as tf.Tensor2D, false, true) as tf.Tensor2D;
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

type CustomGradient = Parameters<typeof tf.customGrad>[0];

/** LayerNorm over the last axis, biased variance as torch.nn.LayerNorm. */
export function layerNorm<T extends tf.Tensor>(x: T, weight: tf.Tensor, bias: tf.Tensor, eps: number): T {
  // The affine part stays ordinary ops, so a frozen weight or bias gets no gradient work.
  return tf.add(tf.mul(normalize(x, eps), weight), bias) as T;
}

/**
 * (x - mean) / sqrt(var + eps) over the last axis, with its gradient written out: tfjs's own backward pass
 * through moments() keeps a dozen [M, D] intermediates per call and runs about twice the kernels. With
 * x̂ the output and g the incoming gradient: dx = rstd (g - mean(g) - x̂ mean(g x̂)).
 */
function normalize<T extends tf.Tensor>(x: T, eps: number): T {
  const op = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    const centred = tf.sub(t, tf.mean(t, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
    const xHat = tf.mul(centred, rstd);
    save([xHat, rstd]);
    return {
      value: xHat,
      gradFunc: (dy, saved) => {
        const [xh, r] = saved;
        const g = dy as tf.Tensor;
        const meanG = tf.mean(g, -1, true);
        const meanGx = tf.mean(tf.mul(g, xh), -1, true);
        return tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(xh, meanGx)), r);
      },
    };
  }) as CustomGradient);
  return op(x) as T;
}

/**
 * Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.GELU() (not the tanh approximation), with its gradient
 * written out: d/dx = Phi(x) + x phi(x), Phi(x) = 0.5 (1 + erf(x / sqrt 2)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
 * tfjs's chain rule through the five ops keeps each of their [M, 4D] outputs alive until the step ends.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}

// Built once: gelu runs in every block of every step.
const geluOp = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
  const cdf = tf.mul(tf.add(tf.erf(tf.mul(t, Math.SQRT1_2)), 1), 0.5);
  save([t, cdf]);
  return {
    value: tf.mul(t, cdf),
    gradFunc: (dy, saved) => {
      const [xs, phiCdf] = saved;
      const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return tf.mul(dy as tf.Tensor, tf.add(phiCdf, tf.mul(xs, pdf)));
    },
  };
}) as CustomGradient);

/**
 * Stochastic depth (timm's drop_path): zero a residual branch for whole samples with probability p and
 * rescale the kept ones by 1 / (1 - p). x: [B, ...]. `seed` makes the draw replayable.
 */
export function dropPath<T extends tf.Tensor>(x: T, p: number, seed?: number): T {
  if (p <= 0) return x;
  const keep = 1 - p;
  const maskShape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
  const mask = tf.floor(tf.add(tf.randomUniform(maskShape, 0, 1, 'float32', seed), keep));
  return tf.mul(x, tf.div(mask, keep)) as T;
}

/**
 * Split images into flattened patches in the (C, kh, kw) order of a PyTorch conv weight [D, C, P, P]
 * flattened to [D, C*P*P], so that a patch-embedding conv with stride P becomes one matMul.
 * x: [B, C, H, W] -> [B * N, C * P * P] with N = (H/P) * (W/P), patches row-major.
 * Kept to rank-5 transposes: the WASM and WebGPU backends support them, and it avoids conv2d whose
 * filter gradient the WASM backend does not implement.
 */
export function patchify(x: tf.Tensor4D, patch: number): tf.Tensor2D {
  const [b, c, h, w] = x.shape;
  const hp = h / patch;
  const wp = w / patch;
  // [B*C, Hp, P, Wp, P] -> [B*C, Hp, Wp, P, P]
  const tiles = tf.transpose(tf.reshape(x, [b * c, hp, patch, wp, patch]), [0, 1, 3, 2, 4]);
  if (c === 1) return tf.reshape(tiles, [b * hp * wp, patch * patch]);
  // [B, C, N, P*P] -> [B, N, C, P*P]
  const perChannel = tf.transpose(tf.reshape(tiles, [b, c, hp * wp, patch * patch]), [0, 2, 1, 3]);
  return tf.reshape(perChannel, [b * hp * wp, c * patch * patch]);
}
