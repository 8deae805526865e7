/**
 * Bootstrap confidence interval of the macro AUROC (Efron & Tibshirani 1993, ch. 13, percentile interval): how
 * much the test-set AUROC would move on another draw of images of the same size. Images are resampled as whole
 * rows so every label stays paired with the others, and the macro AUROC of each resample averages the labels
 * that have both classes in it. Goldens: scripts/golden_eval_metrics.py (sklearn roc_auc_score, numpy.percentile).
 *
 * Cost: one sort per label up front, then O(n · labels) per resample with no allocation: a resample is stored
 * as how many times each image was drawn, and each label's Mann–Whitney U is summed over its pre-sorted
 * images weighted by those counts (a drawn duplicate is the same score and target again, so its weight is
 * exactly its multiplicity, ties between copies counting one half as roc_auc_score counts them).
 */

import { mulberry32 } from '../run/random';
import { evaluationRows } from '../run/labelColumn';
import { percentileOfSorted } from '../run/percentile';

export const DEFAULT_RESAMPLES = 1000;

export interface BootstrapOptions {
  /** Number of resamples; default 1,000. */
  resamples?: number;
  /** mulberry32 seed; the same seed draws the same resamples. Default 0. */
  seed?: number;
}

export interface MacroAurocInterval {
  /** 2.5th, 97.5th and 50th percentiles of the resampled macro AUROCs; null when no resample had one. */
  lo: number | null;
  hi: number | null;
  median: number | null;
  resamplesUsed: number;
  /** Resamples in which no label had both classes (no macro AUROC): left out of the percentiles. */
  resamplesSkipped: number;
}

/** One label's unmasked images sorted by ascending score, with the runs of tied scores marked. */
interface LabelRanking {
  rows: Int32Array;
  positive: Uint8Array;
  /** 1 where the next image in `rows` has a larger score (or this is the last): a run of ties ends here. */
  runEnd: Uint8Array;
}

/**
 * Labels that can have an AUROC in some resample: both classes among the unmasked entries and all of their
 * scores finite (auroc() gives null for a non-finite score, so such a label is left out of every resample too).
 */
function rankLabels(scores: ArrayLike<number>, targets: ArrayLike<number>, numLabels: number, n: number, mask?: ArrayLike<number>): LabelRanking[] {
  const rankings: LabelRanking[] = [];
  for (let l = 0; l < numLabels; l++) {
    const rows: number[] = [];
    let positives = 0;
    let finite = true;
    for (let i = 0; i < n; i++) {
      const k = i * numLabels + l;
      if (mask && !(mask[k] > 0)) continue;
      if (!Number.isFinite(scores[k])) finite = false;
      rows.push(i);
      if (targets[k] > 0.5) positives++;
    }
    if (!finite || positives === 0 || positives === rows.length) continue;
    rows.sort((a, b) => scores[a * numLabels + l] - scores[b * numLabels + l]);
    const m = rows.length;
    const positive = new Uint8Array(m);
    const runEnd = new Uint8Array(m);
    for (let j = 0; j < m; j++) {
      positive[j] = targets[rows[j] * numLabels + l] > 0.5 ? 1 : 0;
      runEnd[j] = j === m - 1 || scores[rows[j + 1] * numLabels + l] !== scores[rows[j] * numLabels + l] ? 1 : 0;
    }
    rankings.push({ rows: Int32Array.from(rows), positive, runEnd });
  }
  return rankings;
}

/**
 * AUROC of one label on the resample given by draw counts, as the Mann–Whitney U: over runs of tied scores in
 * ascending order, U += positives in run · (negatives below + negatives in run / 2); AUROC = U / (P · N).
 * Returns -1 when the resample lacks a class. All sums are of integers and halves, so they are exact.
 */
function weightedAuroc(r: LabelRanking, drawn: Int32Array): number {
  const { rows, positive, runEnd } = r;
  let u = 0;
  let negBelow = 0;
  let pos = 0;
  let runPos = 0;
  let runNeg = 0;
  for (let j = 0; j < rows.length; j++) {
    const c = drawn[rows[j]];
    const cPos = c * positive[j]; // branch-free: the class is unpredictable from one image to the next
    runPos += cPos;
    runNeg += c - cPos;
    if (runEnd[j]) {
      u += runPos * (negBelow + 0.5 * runNeg);
      negBelow += runNeg;
      pos += runPos;
      runPos = 0;
      runNeg = 0;
    }
  }
  return pos > 0 && negBelow > 0 ? u / (pos * negBelow) : -1;
}

/**
 * 95 % percentile bootstrap interval of the macro AUROC of a row-major [n, numLabels] evaluation (mask 0 =
 * label ignored for that image). Each resample draws n row indices floor(rand() · n) from one mulberry32(seed)
 * stream, resample after resample.
 */
export function bootstrapMacroAuroc(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  mask?: ArrayLike<number>,
  options: BootstrapOptions = {},
): MacroAurocInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const n = evaluationRows(scores, targets, numLabels, mask);
  const rankings = rankLabels(scores, targets, numLabels, n, mask);
  const random = mulberry32(options.seed ?? 0);
  const drawn = new Int32Array(n); // [n] times each image was drawn in this resample
  const macros = new Float64Array(resamples);
  let used = 0;
  for (let r = 0; r < resamples; r++) {
    drawn.fill(0);
    for (let d = 0; d < n; d++) drawn[Math.floor(random() * n)]++;
    let sum = 0;
    let defined = 0;
    for (const ranking of rankings) {
      const a = weightedAuroc(ranking, drawn);
      if (a >= 0) {
        sum += a;
        defined++;
      }
    }
    if (defined > 0) macros[used++] = sum / defined;
  }
  const skipped = resamples - used;
  if (used === 0) return { lo: null, hi: null, median: null, resamplesUsed: 0, resamplesSkipped: skipped };
  const sorted = macros.subarray(0, used).sort();
  return {
    lo: percentileOfSorted(sorted, 2.5),
    hi: percentileOfSorted(sorted, 97.5),
    median: percentileOfSorted(sorted, 50),
    resamplesUsed: used,
    resamplesSkipped: skipped,
  };
}
