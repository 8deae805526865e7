/**
 * Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how much each input
 * token can reach the output through the stack of attention layers. Per block, the attention probabilities are
 * averaged over heads and the identity is added for the residual connection, A' = (mean_h A_h + I), rows
 * renormalised to sum to 1; the blocks are chained by matrix products, R = A'_L ... A'_2 A'_1.
 * Needs no gradient: one forward pass that also returns the attention probabilities (VitModel.forwardWithAttention).
 */
import * as tf from '@tensorflow/tfjs';
import { checkSingleImage } from './gradientSaliency';
import type { VitModel } from './vit';

export interface AttentionRollout {
  /** [H/P, W/P]: the rollout share of each patch, on the patch grid (row-major, as the patches are numbered) */
  grid: tf.Tensor2D;
  /** [H, W]: `grid` upsampled bilinearly (pixel centres, as PyTorch's align_corners=False) for an overlay */
  map: tf.Tensor2D;
}

/** Rollout of one normalised image [1, C, H, W] through every block of `model`. */
export function attentionRollout(model: VitModel, image: tf.Tensor4D): AttentionRollout {
  checkSingleImage(image);
  return tf.tidy(() => {
    const { cfg } = model;
    const side = cfg.imgSize / cfg.patchSize;
    const { attention } = model.forwardWithAttention(image); // each [1, heads, T, T], T = N + 1, CLS first
    const t = attention[0].shape[2];
    const eye = tf.eye(t);
    let rollout: tf.Tensor2D | null = null;
    for (const probs of attention) {
      const withResidual = tf.add(tf.reshape(tf.mean(probs, 1), [t, t]), eye); // [1, heads, T, T] -> [T, T]
      const layer = tf.div(withResidual, tf.sum(withResidual, 1, true)) as tf.Tensor2D; // rows sum to 1
      rollout = rollout ? (tf.matMul(layer, rollout) as tf.Tensor2D) : layer;
    }
    // The lab's classifier reads the mean of the patch tokens (CLS excluded), not the CLS token, so the output's
    // rollout is the mean of the patch tokens' rows (the mean of their flows is the flow into their mean), not
    // the CLS row the paper reads for a CLS classifier. Its patch columns give the map; the CLS column (what
    // flows from the CLS token's input, which carries no image content) is left out.
    const patchRows = tf.slice(rollout!, [1, 1], [t - 1, t - 1]); // [N, N]: patch rows, patch columns
    const grid = tf.reshape(tf.mean(patchRows, 0), [side, side]) as tf.Tensor2D; // [N] -> [H/P, W/P]
    const up = tf.image.resizeBilinear(tf.reshape(grid, [1, side, side, 1]) as tf.Tensor4D, [cfg.imgSize, cfg.imgSize], false, true);
    return { grid, map: tf.reshape(up, [cfg.imgSize, cfg.imgSize]) as tf.Tensor2D }; // [1, H, W, 1] -> [H, W]
  });
}
