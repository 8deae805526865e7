/**
 * The ROC view's helpers (src/ui/view/rocView.ts) on the scikit-learn goldens of tests/fixtures/golden/
 * eval_metrics.json: curves as roc_curve, counts at a threshold as confusion_matrix(y, p >= t), the legend's area as
 * the AUROC.
 */
import { describe, expect, it } from 'vitest';
import { auroc } from '../../src/train/auroc';
import { rocCurve } from '../../src/run/roc';
import type { RunPredictions } from '../../src/run/predictions';
import { curveArea, labelRocs, legendText, operatingPoint, rocPoints, rocSummary, thresholdRows } from '../../src/ui/view/rocView';
import { loadEvalMetrics } from '../train/evalMetricsGolden';

const golden = loadEvalMetrics();

function predictions(numLabels: number, scores: number[], targets: number[], mask: number[] | null): RunPredictions {
  const n = scores.length / numLabels;
  return {
    runId: 'r', split: 'val', step: 1, datasetId: 'd',
    labels: Array.from({ length: numLabels }, (_, l) => `L${l}`),
    keys: Array.from({ length: n }, (_, i) => `img${i}.png`),
    scores: Float32Array.from(scores), targets: Float32Array.from(targets), masks: Float32Array.from(mask ?? scores.map(() => 1)),
  };
}

describe('labelRocs', () => {
  it('per label: that label\'s column\'s curve (none for a one-class or fully masked label, as sklearn), its area the AUROC', () => {
    const e = golden.evaluation;
    // The lab keeps float32 scores, which merge some of the golden's float64 ties: each label is compared with
    // rocCurve (sklearn-tested in tests/run/roc.test.ts) on its own float32 column.
    const p = predictions(e.numLabels, e.scores, e.targets, e.mask);
    const rocs = labelRocs(p);
    expect(rocs.map((r) => r.curve === null)).toEqual(golden.roc.perLabel.map((c) => c === null));
    rocs.forEach((r, l) => {
      expect(r).toMatchObject({ label: `L${l}`, index: l });
      if (!golden.roc.perLabel[l]) return expect(r.auroc).toBeNull();
      const column = (a: ArrayLike<number>) => Array.from({ length: p.keys.length }, (_, i) => a[i * e.numLabels + l]);
      expect(r.curve).toEqual(rocCurve(column(p.scores), column(p.targets), column(p.masks)));
      expect(r.auroc).toBeCloseTo(auroc(column(p.scores), column(p.targets), column(p.masks))!, 12);
    });
    expect(legendText(rocs[0])).toMatch(/^L0 \(AUROC \d\.\d{3}\)$/);
    const missing = rocs.find((r) => r.curve === null)!;
    expect(legendText(missing)).toBe(`${missing.label} (AUROC n/a)`);
  });
});

describe('thresholdRows: counts as sklearn confusion_matrix(y, p >= t)', () => {
  // The golden's scores are float64 and the lab keeps float32: the cases where rounding to float32 moves a score
  // across the threshold (2 of 32) are left out, and so are the cases with NaN scores (not in predictions).
  const cases = golden.roc.cases
    .filter((c) => c.scores.every((s) => s !== null))
    .flatMap((c) => c.confusion.map((k) => [`${c.name}, t = ${k.threshold}`, c, k] as const))
    .filter(([, c, k]) => (c.scores as number[]).every((s) => (s >= k.threshold) === (Math.fround(s) >= k.threshold)));
  it('covers 30 golden thresholds', () => expect(cases).toHaveLength(30));
  it.each(cases)('%s', (_name, c, k) => {
    const p = predictions(1, c.scores as number[], c.targets, c.mask);
    const [row] = thresholdRows(p, labelRocs(p), k.threshold);
    expect(row.counts).toEqual({ tp: k.tp, fp: k.fp, tn: k.tn, fn: k.fn, sensitivity: k.sensitivity, specificity: k.specificity });
  });

  it('the operating point of a curve threshold is that curve point; undefined rates give none', () => {
    const p = predictions(1, [0.1, 0.4, 0.4, 0.8, 0.8, 0.2], [0, 0, 1, 1, 0, 1], null);
    const [roc] = labelRocs(p);
    roc.curve!.thresholds.forEach((t, i) => {
      const [row] = thresholdRows(p, [roc], t);
      const point = operatingPoint(row.counts)!;
      expect(point.fpr).toBeCloseTo(roc.curve!.fpr[i], 12);
      expect(point.tpr).toBe(roc.curve!.tpr[i]);
    });
    expect(operatingPoint({ tp: 0, fp: 1, tn: 1, fn: 0, sensitivity: null, specificity: 0.5 })).toBeNull();
  });
});

describe('drawing and words', () => {
  it('rocPoints keeps at most maxPoints, the first (0, 0) and the last (1, 1)', () => {
    const n = 1000;
    const p = predictions(1, Array.from({ length: n }, (_, i) => i / n), Array.from({ length: n }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0), null);
    const [roc] = labelRocs(p);
    const points = rocPoints(roc.curve!, 100);
    expect(points.length).toBeLessThanOrEqual(100);
    expect(points[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(points.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(curveArea(roc.curve!)).toBeCloseTo(roc.auroc!, 12);
  });

  it('rocSummary reads every label\'s AUROC and rates at the threshold', () => {
    const p = predictions(2, [0.9, 0.1, 0.2, 0.8, 0.7, 0.6], [1, 0, 0, 1, 0, 1], null);
    const rows = thresholdRows(p, labelRocs(p), 0.5);
    expect(rocSummary(rows, 0.5, 'the validation pass at step 1')).toBe(
      'ROC curves of the validation pass at step 1. L0: AUROC 1.000, at threshold 0.50 sensitivity 1.000, specificity 0.500; L1: AUROC 1.000, at threshold 0.50 sensitivity 1.000, specificity 1.000.',
    );
    expect(rocSummary([], 0.5, 'this run')).toBe('No predictions for this run yet.');
  });
});
