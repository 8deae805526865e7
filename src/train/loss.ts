/**
 * Multi-label binary cross-entropy on logits, as torch.nn.BCEWithLogitsLoss (mean reduction), in the
 * numerically stable form max(x, 0) - x y + log(1 + exp(-|x|)). Entries with mask 0 (uncertain labels under
 * U-Ignore) are left out of the mean.
 */
import * as tf from '@tensorflow/tfjs';

export function bceWithLogits(logits: tf.Tensor2D, targets: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perElement = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, targets)),
      tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
    );
    if (!mask) return tf.mean(perElement) as tf.Scalar;
    return tf.div(tf.sum(tf.mul(perElement, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
