/**
 * A stored batch (8-bit pixels, 0/1 labels, mask) as the tensors a step or an evaluation takes: normalised
 * `[B, C, H, W]` inputs, with the study's augmentation when training (RandomResizedCrop + flip) and resize + centre
 * crop when evaluating, and `[B, K]` targets and mask. Callers run it inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../run/datasets';
import { centreCropBoxes, EVAL_CROP, preprocess, randomResizedCropBoxes, TORCHVISION_RRC } from './augment';

export interface BatchTensorOptions {
  /** Model input size (px). */
  imgSize: number;
  norm: { mean: number; std: number };
  /** false: the stored image is only resized (no crop, no flip), in training and evaluation alike. */
  augment: boolean;
  /** Draws the training crops; seeded per run so the augmentation is reproducible. */
  random: () => number;
}

/** [B, C, H, W] normalised. */
export function batchInputs(batch: Batch, training: boolean, o: BatchTensorOptions): tf.Tensor4D {
  const boxes = o.augment
    ? training
      ? randomResizedCropBoxes(batch.batchSize, TORCHVISION_RRC, o.random)
      : centreCropBoxes(batch.batchSize, EVAL_CROP)
    : null;
  return preprocess(batch.pixels, batch.batchSize, batch.size, o.imgSize, o.norm, boxes);
}

/** [B, K] targets and mask (1 where the label counts). */
export function batchTargets(batch: Batch, numLabels: number): { y: tf.Tensor2D; mask: tf.Tensor2D } {
  return {
    y: tf.tensor2d(batch.labels, [batch.batchSize, numLabels]),
    mask: tf.tensor2d(batch.mask, [batch.batchSize, numLabels]),
  };
}
