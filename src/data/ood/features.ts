/**
 * The out-of-distribution guard's feature vector: the decode-time image statistics
 * (src/formats/image/imageStats.ts) turned into the 71 numbers its linear model reads. The guard's reference
 * (oodModel.json) is fitted on exactly these vectors, computed by this function in the browser
 * (scripts/ood_fit.py reads them from the benchmark's output), so there is one definition of the features.
 */
import type { GrayStats } from '../../formats/image/imageStats';

/** Names in vector order; oodModel.json stores them too and scoreOod refuses a model whose names differ. */
export const OOD_FEATURE_NAMES: readonly string[] = [
  'log_mode_fraction',
  'entropy',
  'log_edge_fraction',
  'log_mean_gradient',
  'saturated_fraction',
  'mean',
  'std',
  ...Array.from({ length: 64 }, (_, i) => `layout_${Math.floor(i / 8)}_${i % 8}`),
];

/**
 * Logs turn the heavy-tailed shares into roughly Gaussian ones (a document's edge share is 10-100 x a
 * radiograph's); the 1e-3 floor keeps a perfectly flat image finite.
 */
export function oodFeatureVector(stats: GrayStats): number[] {
  return [
    Math.log(stats.modeFraction),
    stats.entropy,
    Math.log(stats.edgeFraction + 1e-3),
    Math.log(stats.meanGradient + 1e-3),
    stats.saturatedFraction,
    stats.mean,
    stats.std,
    ...stats.layout,
  ];
}
