/**
 * Area under the ROC curve as scikit-learn's roc_auc_score computes it for a binary label: the
 * Mann–Whitney U statistic, where tied scores between a positive and a negative count one half.
 * AUROC = (sum of positive ranks - nPos (nPos + 1) / 2) / (nPos nNeg), ranks averaged over ties.
 * A label whose evaluated set holds one class only has no AUROC: null, never 0.5.
 */

export function auroc(scores: ArrayLike<number>, targets: ArrayLike<number>, mask?: ArrayLike<number>): number | null {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!mask || mask[i] > 0) idx.push(i);
  // A diverged model gives NaN scores, which no ranking can order: report no AUROC rather than a wrong one.
  for (const i of idx) if (!Number.isFinite(scores[i])) return null;
  let nPos = 0;
  for (const i of idx) if (targets[i] > 0.5) nPos++;
  const nNeg = idx.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  idx.sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  for (let start = 0; start < idx.length; ) {
    let end = start + 1;
    while (end < idx.length && scores[idx[end]] === scores[idx[start]]) end++;
    const avgRank = (start + 1 + end) / 2; // ranks start..end-1 (1-based start+1..end)
    for (let j = start; j < end; j++) if (targets[idx[j]] > 0.5) rankSumPos += avgRank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface AurocReport {
  perLabel: (number | null)[];
  /** Unweighted mean over the labels that have an AUROC; null when none has. */
  macro: number | null;
}

/** scores, targets, mask: row-major [n, numLabels]. */
export function multiLabelAuroc(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  mask?: ArrayLike<number>,
): AurocReport {
  const n = scores.length / numLabels;
  const perLabel: (number | null)[] = [];
  const s = new Float64Array(n);
  const t = new Float64Array(n);
  const m = new Float64Array(n);
  for (let l = 0; l < numLabels; l++) {
    for (let i = 0; i < n; i++) {
      s[i] = scores[i * numLabels + l];
      t[i] = targets[i * numLabels + l];
      m[i] = mask ? mask[i * numLabels + l] : 1;
    }
    perLabel.push(auroc(s, t, m));
  }
  const defined = perLabel.filter((v): v is number => v !== null);
  return { perLabel, macro: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null };
}
