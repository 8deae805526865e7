/**
 * The guard's fitted reference: a logistic-regression "unlike a chest radiograph" score on the 71 features of
 * features.ts, its threshold, and the colour rule. Fitted by scripts/ood_fit.py (scikit-learn) on the calibration
 * half of the real radiographs and of the non-radiograph set, from vectors computed in the browser by the lab's own
 * decode path (scripts/ood_bench.mjs); stored as oodModel.json beside this file (a few kB, bundled).
 */
import fitted from './oodModel.json';
import { OOD_FEATURE_NAMES } from './features';

export interface OodModel {
  features: string[];
  /** Standardisation: (x - mean) / scale, per feature. */
  mean: number[];
  scale: number[];
  /** sklearn LogisticRegression coef_[0] and intercept_[0] on the standardised features (positive = unlike). */
  weights: number[];
  intercept: number;
  /** Decision value (logit) above which the layout / histogram model flags an image. */
  threshold: number;
  /** Share of coloured pixels (imageStats.ts colourFractionOf) above which an image is flagged as colour. */
  colourThreshold: number;
  /** Wording only (scoreOod.ts reasonFor): when a flagged image reads as a document, chart or screenshot. */
  documentCues: { modeFraction: number; entropy: number; edgeFraction: number };
  provenance: Record<string, unknown>;
}

/** Throws when a model does not fit this code's features (a stale oodModel.json after a feature change). */
export function checkOodModel(model: OodModel): OodModel {
  const n = OOD_FEATURE_NAMES.length;
  const sameNames = model.features.length === n && model.features.every((name, i) => name === OOD_FEATURE_NAMES[i]);
  if (!sameNames) throw new Error('oodModel.json was fitted on other features than features.ts computes: rerun scripts/ood_fit.py');
  for (const key of ['mean', 'scale', 'weights'] as const) {
    if (model[key].length !== n) throw new Error(`oodModel.json: ${key} has ${model[key].length} values, expected ${n}`);
  }
  if (model.scale.some((s) => !(s > 0))) throw new Error('oodModel.json: every scale must be positive');
  return model;
}

export const OOD_MODEL: OodModel = checkOodModel(fitted as OodModel);
