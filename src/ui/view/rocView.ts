/**
 * What the ROC view draws and tabulates from a run's per-image predictions: each label's ROC curve and its area,
 * and at the page's threshold the 2 x 2 confusion counts with sensitivity and specificity. The curves and counts
 * are src/run/roc.ts (golden-tested against scikit-learn: roc_curve, confusion_matrix); predicted positive means
 * probability >= threshold. Pure; tested in tests/ui/rocView.test.ts.
 */
import type { RunPredictions } from '../../run/predictions';
import { multiLabelConfusionAt, multiLabelRocCurves, type ConfusionCounts, type RocCurve } from '../../run/roc';
import { downsample } from './chartData';
import { formatAuroc } from './format';

export interface LabelRoc {
  label: string;
  index: number;
  /** null when the evaluated images hold one class only for this label (no curve; AUROC "n/a"). */
  curve: RocCurve | null;
  auroc: number | null;
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}

export interface ThresholdRow {
  label: string;
  index: number;
  auroc: number | null;
  counts: ConfusionCounts;
}

/** Keyboard step of the threshold slider (arrow keys), and its range: probabilities. */
export const THRESHOLD_STEP = 0.01;
export const DEFAULT_THRESHOLD = 0.5;
/** Points per drawn curve at most (a whole test split has a point per distinct score). */
export const MAX_ROC_POINTS = 400;

/**
 * Area under a curve by the trapezoid rule (sklearn.metrics.auc on roc_curve's output, which is what roc_auc_score
 * computes for a binary label): over every distinct-score point, so ties count one half as the AUROC does.
 */
export function curveArea(c: RocCurve): number {
  let area = 0;
  for (let i = 1; i < c.fpr.length; i++) area += ((c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1])) / 2;
  return area;
}

export function labelRocs(p: RunPredictions): LabelRoc[] {
  const curves = multiLabelRocCurves(p.scores, p.targets, p.labels.length, p.masks);
  return p.labels.map((label, index) => ({ label, index, curve: curves[index], auroc: curves[index] ? curveArea(curves[index]!) : null }));
}

/** A curve's points for drawing, at most maxPoints (every k-th, the first and last always kept). */
export function rocPoints(c: RocCurve, maxPoints = MAX_ROC_POINTS): RocPoint[] {
  return downsample(
    c.fpr.map((fpr, i) => ({ fpr, tpr: c.tpr[i], threshold: c.thresholds[i] })),
    maxPoints,
  );
}

/** Every label's confusion counts at one threshold, with its AUROC. */
export function thresholdRows(p: RunPredictions, rocs: readonly LabelRoc[], threshold: number): ThresholdRow[] {
  const counts = multiLabelConfusionAt(p.scores, p.targets, p.labels.length, threshold, p.masks);
  return rocs.map((r) => ({ label: r.label, index: r.index, auroc: r.auroc, counts: counts[r.index] }));
}

/** Where the threshold puts the label on its ROC plane: (1 - specificity, sensitivity); null if either is undefined. */
export function operatingPoint(c: ConfusionCounts): { fpr: number; tpr: number } | null {
  if (c.sensitivity === null || c.specificity === null) return null;
  return { fpr: 1 - c.specificity, tpr: c.sensitivity };
}

/** A rate with 3 decimals, "n/a" when undefined (no positive or no negative image). */
export function formatRate(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(3);
}

export function formatThreshold(t: number): string {
  return t.toFixed(2);
}

/** The legend entry of a label's curve: its name and AUROC. */
export function legendText(r: LabelRoc): string {
  return `${r.label} (AUROC ${formatAuroc(r.auroc)})`;
}

/** The ROC chart's words for screen readers. */
export function rocSummary(rows: readonly ThresholdRow[], threshold: number, what: string): string {
  if (rows.length === 0) return `No predictions for ${what} yet.`;
  const parts = rows.map((r) => `${r.label}: AUROC ${formatAuroc(r.auroc)}, at threshold ${formatThreshold(threshold)} sensitivity ${formatRate(r.counts.sensitivity)}, specificity ${formatRate(r.counts.specificity)}`);
  return `ROC curves of ${what}. ${parts.join('; ')}.`;
}
