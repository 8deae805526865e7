/**
 * One saliency map of one stored image, as the page's "Under the hood" view asks for it: the image is preprocessed
 * exactly as evaluation does (batchTensors.ts: resize, the evaluation centre crop when the run augments, the run's
 * normalisation), the chosen method runs on the model (src/model/saliency.ts), and the map is read back and turned
 * into 8-bit heat values (saliencyOverlay, 99th-percentile clip). Every tensor made here is disposed before it
 * returns (tests/lab/saliencyMaps.test.ts checks tf.memory().numTensors across calls).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SMOOTH_GRAD, type SaliencyMethod, type SaliencyResult, type SmoothGradSettings } from '../run/saliencyRequest';
import type { VitModel } from '../model/vit';
import { attentionRollout, gradientTimesInput, saliencyOverlay, smoothGrad } from '../model/saliency';
import { centreCropBoxes, EVAL_CROP, preprocess } from '../train/augment';

export interface SaliencyInput {
  model: VitModel;
  norm: { mean: number; std: number };
  /** The run's `augment`: evaluation then centre-crops EVAL_CROP of the side (batchTensors.ts). */
  augment: boolean;
  /** size * size 8-bit grayscale, as stored. */
  pixels: Uint8Array;
  size: number;
  labelIndex: number;
  method: SaliencyMethod;
  smoothGrad?: SmoothGradSettings;
}

export type SaliencyMap = Pick<SaliencyResult, 'heat' | 'side' | 'crop' | 'probabilities'>;

/** The map's heat values, the crop it covers, and the model's probabilities for the image. */
export async function saliencyMap(o: SaliencyInput): Promise<SaliencyMap> {
  const { model } = o;
  if (o.pixels.length !== o.size * o.size) throw new Error(`the image has ${o.pixels.length} pixels, expected ${o.size} x ${o.size}`);
  if (!Number.isInteger(o.labelIndex) || o.labelIndex < 0 || o.labelIndex >= model.cfg.numClasses) {
    throw new Error(`label index must be an integer in [0, ${model.cfg.numClasses}), got ${o.labelIndex}`);
  }
  const m = (1 - EVAL_CROP) / 2;
  const crop: SaliencyMap['crop'] = o.augment ? [m, m, 1 - m, 1 - m] : [0, 0, 1, 1];
  const boxes = o.augment ? centreCropBoxes(1, EVAL_CROP) : null;
  const image = preprocess(o.pixels, 1, o.size, model.cfg.imgSize, o.norm, boxes); // [1, 1, S, S]
  const made: tf.Tensor[] = [image];
  try {
    const probs = tf.tidy(() => tf.sigmoid(model.forward(image)));
    made.push(probs);
    const result = mapOf(o, image);
    made.push(...Object.values(result));
    const [values, p] = await Promise.all([result.map.data(), probs.data()]);
    return { heat: saliencyOverlay(values), side: model.cfg.imgSize, crop, probabilities: Array.from(p) };
  } finally {
    tf.dispose(made);
  }
}

function mapOf(o: SaliencyInput, image: tf.Tensor4D): { map: tf.Tensor2D } & Record<string, tf.Tensor> {
  switch (o.method) {
    case 'gradientTimesInput':
      return { ...gradientTimesInput(o.model, image, o.labelIndex) };
    case 'smoothGrad': {
      const s = o.smoothGrad ?? DEFAULT_SMOOTH_GRAD;
      return { ...smoothGrad(o.model, image, o.labelIndex, { samples: s.samples, noiseStd: s.noiseStd, seed: s.seed }) };
    }
    case 'attentionRollout':
      // Rollout follows the attention, not a label: the same map for every label of the image.
      return { ...attentionRollout(o.model, image) };
    default:
      throw new Error(`unknown saliency method ${String(o.method)}`);
  }
}
