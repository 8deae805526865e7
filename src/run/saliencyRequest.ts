/**
 * What the page asks the training worker for when it explains one image ("Under the hood": why did it say that?),
 * and what comes back: 8-bit heat values over the model's input, ready to colour and draw over the radiograph.
 * Plain data; the maps themselves are computed by src/model/saliency.ts in the worker (src/lab/saliencyMaps.ts).
 */

/** Gradient x input, its SmoothGrad average over noisy copies, or attention rollout (no gradient). */
export type SaliencyMethod = 'gradientTimesInput' | 'smoothGrad' | 'attentionRollout';

export const SALIENCY_METHOD_NAMES: Record<SaliencyMethod, string> = {
  gradientTimesInput: 'Gradient × input',
  smoothGrad: 'SmoothGrad (gradient × input averaged over noisy copies)',
  attentionRollout: 'Attention rollout',
};

export interface SmoothGradSettings {
  /** Noisy copies averaged, >= 1. */
  samples: number;
  /** Noise standard deviation as a share of the image's value range (Smilkov et al. recommend 0.1 to 0.2). */
  noiseStd: number;
  seed: number;
}

export const DEFAULT_SMOOTH_GRAD: SmoothGradSettings = { samples: 16, noiseStd: 0.15, seed: 1 };

export interface SaliencyRequest {
  /** The live run's id (its model as it is now) or a stored run's (its best-validation checkpoint). */
  runId: string;
  datasetId: string;
  imageKey: string;
  labelIndex: number;
  method: SaliencyMethod;
  /** smoothGrad only; DEFAULT_SMOOTH_GRAD when left out. */
  smoothGrad?: SmoothGradSettings;
}

export interface SaliencyResult {
  runId: string;
  imageKey: string;
  labelIndex: number;
  method: SaliencyMethod;
  /** side * side heat values 0..255, row-major over the model's input (saliencyOverlay: 99th-percentile clip). */
  heat: Uint8Array;
  /** The model's input size in pixels. */
  side: number;
  /** [y1, x1, y2, x2] in [0, 1]: the part of the stored image the model saw (the evaluation centre crop, or all). */
  crop: [number, number, number, number];
  /** The model's sigmoid probability of every label on this image, preprocessed as evaluation does. */
  probabilities: number[];
  /** Which weights explained it, in words (e.g. "best-validation checkpoint, step 30"). */
  weights: string;
  /** Worker time from the request to the heat values (model built or taken from the cache, map, read-back). */
  ms: number;
}

/** A stored image as the page draws it: storage-size 8-bit grayscale, with its labels (-1: ignore). */
export interface ImagePixels {
  key: string;
  /** Side of the square image in pixels (the dataset's storageSize). */
  size: number;
  pixels: Uint8Array;
  labels: number[];
}
