/**
 * The use cases behind the page's "Under the hood" section: a run's per-image scores (the live run's latest
 * validation pass from memory, else what the run stored when it ended), stored images by key for drawing, and a
 * saliency map of one image by the live run's model or a stored run's best checkpoint.
 */
import type { PredictionSplit, RunPredictions } from '../run/predictions';
import type { ImagePixels, SaliencyRequest, SaliencyResult } from '../run/saliencyRequest';
import type { RunConfig } from '../run/records';
import { getImages } from '../storage/datasets';
import { getPredictions } from '../storage/predictions';
import type { Predictions } from '../train/evaluate';
import type { VitModel } from '../model/vit';
import { requireRun } from './runLibrary';
import { saliencyMap } from './saliencyMaps';
import type { StoredModelCache } from './storedModelCache';

/** An evaluation's predictions as the run keeps them; null when its batches carried no image keys. */
export function toRunPredictions(
  run: { id: string; datasetId: string; labels: string[] },
  split: PredictionSplit,
  step: number,
  p: Predictions,
): RunPredictions | null {
  if (!p.keys || p.keys.length * run.labels.length !== p.scores.length) return null;
  return { runId: run.id, split, step, datasetId: run.datasetId, labels: [...run.labels], keys: p.keys, scores: p.scores, targets: p.targets, masks: p.masks };
}

export async function storedPredictions(runId: string, split: PredictionSplit): Promise<RunPredictions | null> {
  return (await getPredictions(runId, split)) ?? null;
}

/** Stored images in the order of `keys` (an unknown key is an error: the dataset was deleted or changed). */
export async function readImages(datasetId: string, keys: string[]): Promise<ImagePixels[]> {
  const images = await getImages(datasetId, keys);
  return images.map((im) => ({ key: im.key, size: Math.round(Math.sqrt(im.pixels.length)), pixels: im.pixels, labels: [...im.labels] }));
}

/** The live run as saliency needs it (src/lab/liveRun.ts). */
export interface LiveModel {
  runId: string;
  model: VitModel;
  norm: { mean: number; std: number };
  config: RunConfig;
  /** e.g. "live run at step 40" */
  describe(): string;
}

/** One map for the page: by the live run's model when the request names it, else by the stored run's. */
export async function explainImage(request: SaliencyRequest, live: LiveModel | null, stored: StoredModelCache): Promise<SaliencyResult> {
  const started = performance.now();
  const [image] = await readImages(request.datasetId, [request.imageKey]);
  let model: VitModel;
  let norm: { mean: number; std: number };
  let config: RunConfig;
  let weights: string;
  if (live && live.runId === request.runId) {
    ({ model, norm, config } = live);
    weights = live.describe();
  } else {
    const run = await requireRun(request.runId);
    if (run.datasetId !== request.datasetId) throw new Error(`run "${run.name}" was trained on another dataset ("${run.datasetName}")`);
    const cached = await stored.get(run);
    ({ model, norm } = cached);
    config = run.config;
    weights = cached.from;
  }
  const map = await saliencyMap({
    model,
    norm,
    augment: config.augment,
    pixels: image.pixels,
    size: image.size,
    labelIndex: request.labelIndex,
    method: request.method,
    smoothGrad: request.smoothGrad,
  });
  return { runId: request.runId, imageKey: request.imageKey, labelIndex: request.labelIndex, method: request.method, ...map, weights, ms: performance.now() - started };
}
