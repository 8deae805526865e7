/**
 * "Download predictions": a run's per-image scores as JSON, one row per image with its key, probabilities, truth
 * and mask per label (the arrays of RunPredictions, row-major, made readable). Pure; tested in
 * tests/ui/predictionsFile.test.ts.
 */
import type { RunPredictions } from '../../run/predictions';

export interface PredictionsFile {
  runId: string;
  split: RunPredictions['split'];
  step: number;
  datasetId: string;
  labels: string[];
  images: { key: string; probabilities: number[]; targets: number[]; masks: number[] }[];
}

export function predictionsFile(p: RunPredictions): PredictionsFile {
  const k = p.labels.length;
  const row = (a: Float32Array, i: number) => Array.from(a.subarray(i * k, (i + 1) * k));
  return {
    runId: p.runId,
    split: p.split,
    step: p.step,
    datasetId: p.datasetId,
    labels: [...p.labels],
    images: p.keys.map((key, i) => ({ key, probabilities: row(p.scores, i), targets: row(p.targets, i), masks: row(p.masks, i) })),
  };
}

/** Back to the arrays (the e2e test reads a downloaded file with it). */
export function fromPredictionsFile(f: PredictionsFile): Pick<RunPredictions, 'labels' | 'keys' | 'scores' | 'targets' | 'masks'> {
  return {
    labels: f.labels,
    keys: f.images.map((im) => im.key),
    scores: Float32Array.from(f.images.flatMap((im) => im.probabilities)),
    targets: Float32Array.from(f.images.flatMap((im) => im.targets)),
    masks: Float32Array.from(f.images.flatMap((im) => im.masks)),
  };
}
