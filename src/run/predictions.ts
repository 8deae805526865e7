/**
 * One evaluation of a run, image by image: what the page's ROC view, threshold table and predictions grid are drawn
 * from. The live run keeps its latest validation pass in memory; a run that ended keeps its last validation pass and
 * its test scoring in IndexedDB (storage/predictions.ts), so a stored run's views need no model. Plain data
 * (structured-clone safe); arrays are row-major [images, labels].
 */
import type { Split } from './datasets';

/** The evaluations kept per run: the latest validation pass and the test scoring (best-validation checkpoint). */
export type PredictionSplit = Extract<Split, 'val' | 'test'>;

export interface RunPredictions {
  runId: string;
  split: PredictionSplit;
  /** The step the evaluation ran at (test: the step of the checkpoint that was scored). */
  step: number;
  datasetId: string;
  labels: string[];
  /** The stored image key of each row (storage/datasets.ts getImages reads the image back). */
  keys: string[];
  /** Sigmoid probabilities, [keys.length, labels.length] row-major. */
  scores: Float32Array;
  /** 0/1 truth, same shape; entries with mask 0 are "ignore" (e.g. CheXpert U-Ignore) and count nowhere. */
  targets: Float32Array;
  masks: Float32Array;
}
