/**
 * The out-of-distribution guard's verdict for one image: how unlike a chest radiograph it is, whether that is over
 * the threshold, and why in a few words (docs/ood-guard.md). Pure: statistics in (from the decode worker's
 * decodeWithStats), verdict out; the ingest report and the single-image prediction view show `reason`.
 *
 * Two terms, each in logit units with 0 at its threshold, and the larger one decides:
 * - layout: the fitted logistic model (oodModel.ts) on histogram, edge and 8 x 8 layout features, minus its
 *   threshold;
 * - colour: ln(colour share / colour threshold); radiographs are gray, so a colour share above the threshold
 *   alone is enough. A decoder that saw no colour (DICOM, 16-bit PNG) gives no colour evidence.
 * score = logistic(max of the two) lies in (0, 1); flagged when score > OOD_SCORE_THRESHOLD (0.5).
 */
import type { ImageStats } from '../../formats/image/imageStats';
import { oodFeatureVector } from './features';
import { OOD_MODEL, type OodModel } from './oodModel';

export const OOD_SCORE_THRESHOLD = 0.5;

export const OOD_REASONS = {
  colour: 'looks like a colour photograph',
  document: 'looks like a document, chart or screenshot',
  other: 'not a chest radiograph',
} as const;

export type OodReason = (typeof OOD_REASONS)[keyof typeof OOD_REASONS];

export interface OodVerdict {
  /** In (0, 1): higher is less like a chest radiograph; flagged above OOD_SCORE_THRESHOLD. */
  score: number;
  flagged: boolean;
  /** Why it was flagged; null when it was not. */
  reason: OodReason | null;
  /** Both terms in logit units, 0 at each one's threshold (for the report's details and for tests). */
  terms: { layout: number; colour: number };
}

/** The fitted model's decision value (sklearn LogisticRegression.decision_function on standardised features). */
export function oodDecision(features: number[], model: OodModel = OOD_MODEL): number {
  let z = model.intercept;
  for (let i = 0; i < features.length; i++) z += (model.weights[i] * (features[i] - model.mean[i])) / model.scale[i];
  return z;
}

/**
 * Wording only (the decision is already made). A page-like image (a document, chart or screenshot) has one
 * background level covering more of it than any calibration radiograph showed, or few levels in use together with
 * many sharp edges (text); that background is not black (CT, nuclear-medicine and angiography frames sit on
 * black, pages do not). Otherwise colour, otherwise simply "not a chest radiograph".
 */
function reasonFor(stats: ImageStats, terms: OodVerdict['terms'], model: OodModel): OodReason {
  const cues = model.documentCues;
  const flatBackground = stats.modeFraction > cues.modeFraction;
  const textLike = stats.entropy < cues.entropy && stats.edgeFraction > cues.edgeFraction;
  if ((flatBackground || textLike) && stats.modeLevel > 4) return OOD_REASONS.document;
  if (terms.colour > 0) return OOD_REASONS.colour;
  return OOD_REASONS.other;
}

export function scoreOod(stats: ImageStats, model: OodModel = OOD_MODEL): OodVerdict {
  const layout = oodDecision(oodFeatureVector(stats), model) - model.threshold;
  // A floor of one pixel in a million keeps ln finite for a perfectly gray image.
  const colour = stats.colourFraction === null ? -Infinity : Math.log(Math.max(stats.colourFraction, 1e-6) / model.colourThreshold);
  const logit = Math.max(layout, colour);
  const score = 1 / (1 + Math.exp(-logit));
  const flagged = score > OOD_SCORE_THRESHOLD;
  const terms = { layout, colour };
  return { score, flagged, reason: flagged ? reasonFor(stats, terms, model) : null, terms };
}
