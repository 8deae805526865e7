/**
 * The study's score of a finished run: its best-validation checkpoint, with the adapter merged into the weights as
 * the study evaluates, on the whole test split; per-label and macro AUROC, expected calibration error (15 bins) and
 * a seeded 1,000-resample bootstrap interval of the macro AUROC.
 */
import type { RunCheckpoint } from '../run/checkpoints';
import type { RunConfig, TestScore } from '../run/records';
import type { VitModel } from '../model/vit';
import { bootstrapMacroAuroc } from '../train/bootstrap';
import { batchInputs, type BatchTensorOptions } from '../train/batchTensors';
import { multiLabelCalibration } from '../train/calibration';
import { evaluateSplit, type Predictions } from '../train/evaluate';
import { restoreCheckpoint } from '../train/sessionState';
import type { EvalSource } from '../train/sources';
import { mulberry32 } from '../run/random';

export const TEST_BOOTSTRAP_RESAMPLES = 1000;

export interface ScoreInputs {
  model: VitModel;
  config: RunConfig;
  labels: string[];
  test: EvalSource;
  norm: { mean: number; std: number };
  /** The best-validation checkpoint; null scores the model as it is (a run without a validation split). */
  best: RunCheckpoint | null;
  /** The step the model is at when there is no best checkpoint. */
  step: number;
}

/**
 * Loads the best checkpoint into `model` (it stays there: the run's exports then hold the scored weights), merges
 * the adapter for the evaluation and unmerges it after, so the adapter can still be exported as an adapter.
 */
export async function scoreOnTest(o: ScoreInputs): Promise<TestScore> {
  return (await scoreAndPredict(o)).score;
}

/** scoreOnTest, with the per-image test scores it was computed from (kept with the run for the ROC view). */
export async function scoreAndPredict(o: ScoreInputs): Promise<{ score: TestScore; predictions: Predictions }> {
  if (o.best) restoreCheckpoint(o.model, o.best, o.config.lora);
  const tensors: BatchTensorOptions = { imgSize: o.model.cfg.imgSize, norm: o.norm, augment: o.config.augment, random: mulberry32(0) };
  const merge = o.model.lora !== null;
  if (merge) await o.model.mergeLora();
  try {
    const step = o.best?.step ?? o.step;
    const { record, predictions } = await evaluateSplit(o.model, o.test, (b) => batchInputs(b, false, tensors), o.labels, step, 'test');
    const k = o.labels.length;
    const calibration = multiLabelCalibration(predictions.scores, predictions.targets, k, predictions.masks);
    const ci = bootstrapMacroAuroc(predictions.scores, predictions.targets, k, predictions.masks, { resamples: TEST_BOOTSTRAP_RESAMPLES, seed: o.config.seed });
    const score: TestScore = {
      step,
      images: record.images,
      loss: record.loss,
      auroc: record.auroc,
      macroAuroc: record.macroAuroc,
      ece: Object.fromEntries(o.labels.map((l, i) => [l, calibration.perLabel[i].ece])),
      meanEce: calibration.meanEce,
      macroAurocCi: { lo: ci.lo, hi: ci.hi, median: ci.median, resamples: ci.resamplesUsed },
    };
    return { score, predictions };
  } finally {
    if (merge) o.model.unmergeLora();
  }
}
