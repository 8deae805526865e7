/**
 * Expected calibration error and the reliability diagram of each label: does a predicted probability of 0.3
 * come true three times in ten? Bins follow scikit-learn's calibration_curve(strategy='uniform') exactly, so the
 * lab's numbers and a Python re-analysis of the same predictions agree bin for bin.
 *
 * ECE (Naeini et al., AAAI 2015; Guo et al., ICML 2017, section 2) = Σ_b (n_b / N) · |mean(y in b) − mean(p in b)|
 * over the non-empty bins b, N the label's unmasked entries. This is the binary, per-label form on the
 * probability of the positive class (what calibration_curve bins), not Guo et al.'s top-label confidence.
 */

import { checkSameLength, evaluationRows, labelColumn } from '../run/labelColumn';

/** The lab's bin count (Guo et al. use 15 equal-width bins). */
export const CALIBRATION_BINS = 15;

export interface ReliabilityBin {
  /** Bin b holds lo < p <= hi (bin 0 also holds p = 0): sklearn's edge convention, see binIndex. */
  lo: number;
  hi: number;
  count: number;
  /** Mean predicted probability in the bin; null when the bin is empty. */
  meanPredicted: number | null;
  /** Fraction of positive targets in the bin; null when the bin is empty. */
  fractionPositive: number | null;
}

export interface LabelCalibration {
  /** null when the label has no unmasked entry, or one of them is not finite (a diverged model). */
  ece: number | null;
  /** Unmasked entries that went into the bins. */
  count: number;
  /** All numBins bins, empty ones included (count 0, means null), lowest first. */
  bins: ReliabilityBin[];
}

export interface CalibrationReport {
  perLabel: LabelCalibration[];
  /** Unweighted mean of the labels' ECE over those that have one; null when none has. */
  meanEce: number | null;
}

/**
 * numpy.linspace(0, 1, numBins + 1) to the last bit: numpy multiplies arange(numBins + 1) by the step
 * 1 / numBins and then sets the last edge to exactly 1 (numpy/core/function_base.py, linspace).
 */
export function binEdges(numBins: number = CALIBRATION_BINS): Float64Array {
  if (!Number.isInteger(numBins) || numBins < 1) throw new RangeError(`numBins must be a positive integer, got ${numBins}`);
  const edges = new Float64Array(numBins + 1);
  const step = 1 / numBins;
  for (let i = 0; i < numBins; i++) edges[i] = i * step;
  edges[numBins] = 1;
  return edges;
}

/**
 * sklearn's bin of p: np.searchsorted(edges[1:-1], p) with numpy's default side='left', i.e. the number of
 * inner edges strictly below p (sklearn/calibration.py, calibration_curve). A p equal to an edge goes to the
 * bin below it, p = 0 to bin 0 and p = 1 to the last bin.
 */
export function binIndex(p: number, edges: ArrayLike<number>): number {
  let lo = 1;
  let hi = edges.length - 1; // search the inner edges [1, length - 1)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * One label. probs are probabilities of the positive class (sigmoid outputs, not logits): a finite value
 * outside [0, 1] throws, as sklearn's calibration_curve raises on it.
 */
export function calibration(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  mask?: ArrayLike<number>,
  numBins: number = CALIBRATION_BINS,
): LabelCalibration {
  checkSameLength(probs, targets, mask);
  const edges = binEdges(numBins);
  const counts = new Float64Array(numBins);
  const probSums = new Float64Array(numBins);
  const positives = new Float64Array(numBins);
  let total = 0;
  let finite = true;
  for (let i = 0; i < probs.length; i++) {
    if (mask && !(mask[i] > 0)) continue;
    const p = probs[i];
    if (!Number.isFinite(p)) {
      finite = false;
      continue;
    }
    if (p < 0 || p > 1) throw new RangeError(`probability ${p} at ${i} is outside [0, 1]: pass sigmoid outputs, not logits`);
    const b = binIndex(p, edges);
    counts[b]++;
    probSums[b] += p;
    if (targets[i] > 0.5) positives[b]++;
    total++;
  }
  if (!finite) {
    counts.fill(0);
    total = 0;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < numBins; b++) {
    const n = counts[b];
    const meanPredicted = n > 0 ? probSums[b] / n : null;
    const fractionPositive = n > 0 ? positives[b] / n : null;
    if (n > 0) ece += (n / total) * Math.abs(fractionPositive! - meanPredicted!);
    bins.push({ lo: edges[b], hi: edges[b + 1], count: n, meanPredicted, fractionPositive });
  }
  return { ece: total > 0 ? ece : null, count: total, bins };
}

/** probs, targets, mask: row-major [n, numLabels]. */
export function multiLabelCalibration(
  probs: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  mask?: ArrayLike<number>,
  numBins: number = CALIBRATION_BINS,
): CalibrationReport {
  evaluationRows(probs, targets, numLabels, mask);
  const perLabel: LabelCalibration[] = [];
  for (let l = 0; l < numLabels; l++) {
    const m = mask ? labelColumn(mask, numLabels, l) : undefined;
    perLabel.push(calibration(labelColumn(probs, numLabels, l), labelColumn(targets, numLabels, l), m, numBins));
  }
  const defined = perLabel.map((c) => c.ece).filter((v): v is number => v !== null);
  return { perLabel, meanEce: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null };
}
