/**
 * "Check one image": a single radiograph the user opens is decoded as an ingest decodes it (at the dataset's storage
 * size), screened by the out-of-distribution guard, and only if it looks like a chest radiograph (or the user insists)
 * given to a run's model: the probabilities per label. As Chester refuses out-of-distribution input, the lab says
 * first that a flagged image is not what the model was trained on, and shows no probability unless asked again.
 */
import * as tf from '@tensorflow/tfjs';
import { scoreOod } from '../data/ood/scoreOod';
import type { VitModel } from '../model/vit';
import type { RunConfig } from '../run/records';
import { centreCropBoxes, EVAL_CROP, preprocess } from '../train/augment';
import { decodeFile } from './decodeFile';

export interface ImageCheck {
  fileName: string;
  /** The decoded image as the model sees it before resizing: size x size 8-bit gray. */
  pixels: Uint8Array;
  size: number;
  ood: { score: number; flagged: boolean; reason: string | null };
  /** Per label, in the run's label order; null when the image was flagged and the user did not insist. */
  probabilities: number[] | null;
  labels: string[];
  /** Which model answered ("the live run's weights at step 40", "best-validation checkpoint, step 180"). */
  weights: string;
}

export interface CheckModel {
  model: VitModel;
  norm: { mean: number; std: number };
  config: RunConfig;
  labels: string[];
  weights: string;
}

export async function checkImage(file: Blob & { name?: string }, size: number, getModel: () => Promise<CheckModel>, force: boolean): Promise<ImageCheck> {
  const { pixels, stats } = await decodeFile(file, size);
  const verdict = scoreOod(stats);
  const ood = { score: verdict.score, flagged: verdict.flagged, reason: verdict.reason };
  const m = await getModel();
  const base = { fileName: file.name ?? 'image', pixels, size, ood, labels: m.labels, weights: m.weights };
  if (verdict.flagged && !force) return { ...base, probabilities: null };
  const probs = tf.tidy(() => {
    const boxes = m.config.augment ? centreCropBoxes(1, EVAL_CROP) : null;
    return tf.sigmoid(m.model.forward(preprocess(pixels, 1, size, m.model.cfg.imgSize, m.norm, boxes)));
  });
  try {
    return { ...base, probabilities: Array.from(await probs.data()) };
  } finally {
    probs.dispose();
  }
}
