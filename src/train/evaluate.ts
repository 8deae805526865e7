/**
 * One pass over an evaluation split: sigmoid scores, the masked mean BCE (the same per-element loss as training,
 * from loss.ts) and per-label / macro AUROC. Scores are read back per batch; the padding rows of the last batch
 * (batch.valid) are left out.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, Split } from '../run/datasets';
import type { EvaluationRecord } from '../run/records';
import type { VitModel } from '../model/vit';
import { multiLabelAuroc } from './auroc';
import { batchTargets } from './batchTensors';
import { bceWithLogitsElements } from './loss';
import type { EvalSource } from './sources';

/** Scores, targets and masks of every evaluated image, row-major [N, K]: what ROC curves and calibration need. */
export interface Predictions {
  scores: Float32Array;
  targets: Float32Array;
  masks: Float32Array;
  numLabels: number;
  /** The stored image key of each row, when the batches carry keys (data/batches.ts in eval mode). */
  keys?: string[];
}

export interface Evaluation {
  record: EvaluationRecord;
  predictions: Predictions;
}

export async function evaluateSplit(
  model: VitModel,
  source: EvalSource,
  toInputs: (batch: Batch) => tf.Tensor4D,
  labels: string[],
  step: number,
  split: Split = 'val',
): Promise<Evaluation> {
  const k = labels.length;
  const scores: number[] = [];
  const targets: number[] = [];
  const masks: number[] = [];
  const keys: string[] = [];
  let keyed = true;
  let lossSum = 0;
  let lossWeight = 0;
  for await (const batch of source.epoch()) {
    const { probs, perElement } = tf.tidy(() => {
      const logits = model.forward(toInputs(batch));
      const { y } = batchTargets(batch, k);
      return { probs: tf.sigmoid(logits), perElement: bceWithLogitsElements(logits, y) };
    });
    const [p, e] = await Promise.all([probs.data(), perElement.data()]);
    tf.dispose([probs, perElement]);
    const n = batch.valid * k;
    if (batch.keys) keys.push(...batch.keys.slice(0, batch.valid));
    else keyed = false;
    for (let i = 0; i < n; i++) {
      scores.push(p[i]);
      targets.push(batch.labels[i]);
      masks.push(batch.mask[i]);
      lossSum += e[i] * batch.mask[i];
      lossWeight += batch.mask[i];
    }
  }
  const report = multiLabelAuroc(scores, targets, k, masks);
  const record: EvaluationRecord = {
    step,
    split,
    loss: lossWeight > 0 ? lossSum / lossWeight : NaN,
    auroc: Object.fromEntries(labels.map((l, i) => [l, report.perLabel[i]])),
    macroAuroc: report.macro,
    images: scores.length / k,
  };
  const predictions: Predictions = { scores: Float32Array.from(scores), targets: Float32Array.from(targets), masks: Float32Array.from(masks), numLabels: k };
  if (keyed) predictions.keys = keys;
  return { record, predictions };
}
