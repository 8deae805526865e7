/**
 * Gradient x input saliency (Shrikumar et al. 2016, "Not just a black box"; Simonyan et al. 2014 for the input
 * gradient): for one label, how much each pixel of the normalised input moved that label's logit.
 *
 * Reduction over channels: signed sum, sum_c x_c * d logit / d x_c. It is the pixel's first-order contribution
 * to the logit measured from the all-zero normalised input, i.e. from the dataset-mean gray level (the terms of
 * the Taylor expansion add up over pixels), and for the lab's grayscale input replicated to 3 channels it is
 * simply x * (sum of the three channel gradients). The sum is taken before any absolute value so that the
 * replicated channels cannot cancel or double-count. `map` is then |signed|: a teacher's heat map answers
 * "which regions did the model use", and a dark spot that lowered the score matters as much as a bright one that
 * raised it; `signed` is kept for a diverging (red/blue) view of "raised" versus "lowered".
 */
import * as tf from '@tensorflow/tfjs';
import type { VitModel } from './vit';

export interface GradientTimesInput {
  /** |sum_c x_c g_c| per pixel, [H, W]: how strongly each pixel moved the label's logit, either way. */
  map: tf.Tensor2D;
  /** sum_c x_c g_c per pixel, [H, W]: > 0 where the pixel (relative to the dataset mean) raised the logit. */
  signed: tf.Tensor2D;
  /** d logit / d x, [1, C, H, W]; for a 1-channel (grayscale) input the sum of the replicated channels' gradients. */
  gradient: tf.Tensor4D;
}

export function checkLabelIndex(model: VitModel, labelIndex: number): void {
  if (!Number.isInteger(labelIndex) || labelIndex < 0 || labelIndex >= model.cfg.numClasses) {
    throw new Error(`label index must be an integer in [0, ${model.cfg.numClasses}), got ${labelIndex}`);
  }
}

export function checkSingleImage(image: tf.Tensor4D): void {
  if (image.rank !== 4 || image.shape[0] !== 1) throw new Error(`expected one image [1, C, H, W], got [${image.shape}]`);
}

/**
 * Per-image input gradients of one label's logit and the signed channel-summed product, for a batch.
 * x: [B, C, H, W] normalised -> gradient [B, C, H, W], signed [B, H, W]. The gradient of the batch's summed logit
 * is each image's own gradient: no layer mixes images (LayerNorm is per token, the pool per image).
 */
export function batchGradientTimesInput(model: VitModel, x: tf.Tensor4D, labelIndex: number): { gradient: tf.Tensor4D; signed: tf.Tensor3D } {
  checkLabelIndex(model, labelIndex);
  return tf.tidy(() => {
    const batch = x.shape[0];
    const labelLogitSum = (input: tf.Tensor) => tf.sum(tf.slice(model.forward(input as tf.Tensor4D), [0, labelIndex], [batch, 1]));
    const gradient = tf.grad(labelLogitSum)(x) as tf.Tensor4D; // [B, C, H, W]
    const signed = tf.sum(tf.mul(x, gradient), 1) as tf.Tensor3D; // [B, H, W]
    return { gradient, signed };
  });
}

/** Gradient x input of `labelIndex` for one normalised image [1, C, H, W] (C = 1 or the model's channels). */
export function gradientTimesInput(model: VitModel, image: tf.Tensor4D, labelIndex: number): GradientTimesInput {
  checkSingleImage(image);
  return tf.tidy(() => {
    const { gradient, signed } = batchGradientTimesInput(model, image, labelIndex);
    const [, , h, w] = image.shape;
    const signedMap = tf.reshape(signed, [h, w]) as tf.Tensor2D; // [1, H, W] -> [H, W]
    return { map: tf.abs(signedMap), signed: signedMap, gradient };
  });
}
