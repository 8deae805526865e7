/**
 * Saliency maps for the lab's ViT ("teaching mode"): one import for the page's worker. Each method lives in its
 * own file with its source: gradient x input (gradientSaliency.ts), SmoothGrad (smoothGrad.ts), attention
 * rollout (attentionRollout.ts), and the 8-bit heat values for drawing any of them (saliencyOverlay.ts).
 */
export { gradientTimesInput, batchGradientTimesInput, type GradientTimesInput } from './gradientSaliency';
export { smoothGrad, seededNormals, SMOOTH_GRAD_BATCH, type SmoothGradMap, type SmoothGradOptions } from './smoothGrad';
export { attentionRollout, type AttentionRollout } from './attentionRollout';
export { saliencyOverlay, DEFAULT_PERCENTILE_CLIP, type OverlayOptions } from './saliencyOverlay';
