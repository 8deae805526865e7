/**
 * Multi-label binary cross-entropy on logits, as torch.nn.BCEWithLogitsLoss (mean reduction), in the
 * numerically stable form max(x, 0) - x y + log(1 + exp(-|x|)). Entries with mask 0 (uncertain labels under
 * U-Ignore) are left out of the mean.
 */
import * as tf from '@tensorflow/tfjs';

export function bceWithLogits(logits: tf.Tensor2D, targets: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(bceWithLogitsSum(logits, targets, mask), bceCount(targets, mask)) as tf.Scalar);
}

/** The loss of every entry, [B, K], unmasked: training sums it (below), evaluation averages it over the split. */
export function bceWithLogitsElements(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))) as tf.Tensor2D);
}

/** The numerator of the mean: the summed per-element loss over the entries that count. */
export function bceWithLogitsSum(logits: tf.Tensor2D, targets: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perElement = bceWithLogitsElements(logits, targets);
    return tf.sum(mask ? tf.mul(perElement, mask) : perElement) as tf.Scalar;
  });
}

/** The denominator of the mean: entries that count (at least 1, so an all-masked batch gives loss 0). */
export function bceCount(targets: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  return mask ? tf.tidy(() => tf.maximum(tf.sum(mask), 1) as tf.Scalar) : tf.scalar(targets.size);
}
