/**
 * ROC curve and confusion counts of one label, so the UI can draw the curve and show sensitivity and
 * specificity at an operating point. Both match scikit-learn: rocCurve is
 * sklearn.metrics.roc_curve(y, p, drop_intermediate=False) and confusionAt is
 * sklearn.metrics.confusion_matrix(y, p >= threshold) (goldens: scripts/golden_eval_metrics.py).
 *
 * Every distinct score is kept as a threshold (drop_intermediate=False): sklearn's default drops points that lie
 * on a straight segment, which leaves the drawn curve unchanged but loses operating points the UI lets a user
 * pick. The first point is (0, 0) at a threshold above every score. Its value follows the scikit-learn the
 * goldens were made with (Debian's 1.2.1): the largest score + 1 (sklearn/metrics/_ranking.py, roc_curve);
 * sklearn 1.3 and later write +Infinity there instead. Either predicts nothing positive.
 */

import { checkSameLength, evaluationRows, labelColumn } from './labelColumn';

export interface RocCurve {
  /** False-positive rate fp / negatives at each threshold, from 0 up to 1. */
  fpr: number[];
  /** True-positive rate tp / positives at each threshold, from 0 up to 1. */
  tpr: number[];
  /** Decreasing; predicted positive means score >= threshold. thresholds[0] = max score + 1 (see header). */
  thresholds: number[];
}

export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** tp / (tp + fn); null when no unmasked entry is positive. */
  sensitivity: number | null;
  /** tn / (tn + fp); null when no unmasked entry is negative. */
  specificity: number | null;
}

/**
 * One label's ROC curve over its unmasked entries. null where sklearn's rates are undefined (it returns NaN for
 * them and warns): no positive or no negative entry. Also null when an unmasked score is not finite (a diverged
 * model; sklearn raises there), as auroc() is.
 */
export function rocCurve(scores: ArrayLike<number>, targets: ArrayLike<number>, mask?: ArrayLike<number>): RocCurve | null {
  checkSameLength(scores, targets, mask);
  const idx: number[] = [];
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    if (!Number.isFinite(scores[i])) return null;
    idx.push(i);
    if (targets[i] > 0.5) positives++;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) return null;
  idx.sort((a, b) => scores[b] - scores[a]);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [scores[idx[0]] + 1];
  let tp = 0;
  let fp = 0;
  // Walk down the scores; a point per distinct score once all entries tied at it are counted (sklearn's
  // _binary_clf_curve takes the cumulative counts at the last index of each run of equal scores).
  for (let j = 0; j < idx.length; j++) {
    if (targets[idx[j]] > 0.5) tp++;
    else fp++;
    if (j === idx.length - 1 || scores[idx[j + 1]] !== scores[idx[j]]) {
      fpr.push(fp / negatives);
      tpr.push(tp / positives);
      thresholds.push(scores[idx[j]]);
    }
  }
  return { fpr, tpr, thresholds };
}

/**
 * Confusion counts over the unmasked entries when score >= threshold is called positive. A NaN score is never
 * >= a threshold, so it counts as a negative call, as in NumPy.
 */
export function confusionAt(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  threshold: number,
  mask?: ArrayLike<number>,
): ConfusionCounts {
  checkSameLength(scores, targets, mask);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    const calledPositive = scores[i] >= threshold;
    if (targets[i] > 0.5) {
      if (calledPositive) tp++;
      else fn++;
    } else if (calledPositive) fp++;
    else tn++;
  }
  return {
    tp,
    fp,
    tn,
    fn,
    sensitivity: tp + fn > 0 ? tp / (tp + fn) : null,
    specificity: tn + fp > 0 ? tn / (tn + fp) : null,
  };
}

/** Each label's ROC curve (null where undefined) of a row-major [n, numLabels] evaluation. */
export function multiLabelRocCurves(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  mask?: ArrayLike<number>,
): (RocCurve | null)[] {
  evaluationRows(scores, targets, numLabels, mask);
  const curves: (RocCurve | null)[] = [];
  for (let l = 0; l < numLabels; l++) {
    const m = mask ? labelColumn(mask, numLabels, l) : undefined;
    curves.push(rocCurve(labelColumn(scores, numLabels, l), labelColumn(targets, numLabels, l), m));
  }
  return curves;
}

/** Each label's confusion counts at one threshold for all labels, or one threshold per label. */
export function multiLabelConfusionAt(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  threshold: number | ArrayLike<number>,
  mask?: ArrayLike<number>,
): ConfusionCounts[] {
  evaluationRows(scores, targets, numLabels, mask);
  if (typeof threshold !== 'number' && threshold.length !== numLabels) {
    throw new RangeError(`${threshold.length} thresholds for ${numLabels} labels`);
  }
  const counts: ConfusionCounts[] = [];
  for (let l = 0; l < numLabels; l++) {
    const m = mask ? labelColumn(mask, numLabels, l) : undefined;
    const t = typeof threshold === 'number' ? threshold : threshold[l];
    counts.push(confusionAt(labelColumn(scores, numLabels, l), labelColumn(targets, numLabels, l), t, m));
  }
  return counts;
}
