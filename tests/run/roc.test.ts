/** ROC curves and confusion counts against sklearn roc_curve / confusion_matrix (goldens: scripts/golden_eval_metrics.py). */
import { describe, expect, it } from 'vitest';
import { auroc } from '../../src/train/auroc';
import { confusionAt, multiLabelConfusionAt, multiLabelRocCurves, rocCurve, type RocCurve } from '../../src/run/roc';
import { type CurveGolden, loadEvalMetrics } from '../train/evalMetricsGolden';

const golden = loadEvalMetrics();
const nanForNull = (xs: (number | null)[]) => xs.map((v) => (v === null ? Number.NaN : v));

function expectCurve(got: RocCurve | null, want: CurveGolden | null) {
  if (want === null) {
    expect(got).toBeNull();
    return;
  }
  expect(got).not.toBeNull();
  // Rates are integer counts divided as sklearn divides them, thresholds are input values: exact.
  expect(got!.fpr).toEqual(want.fpr);
  expect(got!.tpr).toEqual(want.tpr);
  expect(got!.thresholds).toEqual(want.thresholds);
}

/** Trapezoid area under a curve, to tie the curve to the golden-tested AUROC. */
function area(c: RocCurve): number {
  let a = 0;
  for (let i = 1; i < c.fpr.length; i++) a += ((c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1])) / 2;
  return a;
}

describe('rocCurve as sklearn roc_curve(drop_intermediate=False)', () => {
  it.each(golden.roc.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectCurve(rocCurve(nanForNull(c.scores), c.targets, c.mask ?? undefined), c.curve);
  });

  it('multi-label evaluation: per-label curves, null for the one-class and the fully masked label', () => {
    const e = golden.evaluation;
    const curves = multiLabelRocCurves(e.scores, e.targets, e.numLabels, e.mask);
    expect(curves).toHaveLength(e.numLabels);
    curves.forEach((c, l) => expectCurve(c, golden.roc.perLabel[l]));
    expect(curves.map((c) => c === null)).toEqual([false, false, false, true, false, true]);
  });

  it('starts at (0, 0) at the largest score + 1 (Debian sklearn 1.2.1) and ends at (1, 1)', () => {
    const c = rocCurve([0.3, 0.9, 0.1, 0.9], [0, 1, 0, 0])!;
    expect(c.thresholds).toEqual([1.9, 0.9, 0.3, 0.1]);
    expect([c.fpr[0], c.tpr[0], c.fpr.at(-1), c.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    expect(golden.versions.sklearn).toBe('1.2.1');
  });

  it('its trapezoid area equals auroc() on the golden cases', () => {
    for (const c of golden.roc.cases) {
      const curve = rocCurve(nanForNull(c.scores), c.targets, c.mask ?? undefined);
      if (curve) expect(area(curve), c.name).toBeCloseTo(auroc(nanForNull(c.scores), c.targets, c.mask ?? undefined)!, 12);
    }
  });

  it('does not depend on the order of the samples', () => {
    const s = [0.4, 0.1, 0.4, 0.8, 0.2, 0.8];
    const t = [1, 0, 0, 1, 1, 0];
    expect(rocCurve([...s].reverse(), [...t].reverse())).toEqual(rocCurve(s, t));
  });

  it('every entry masked, or a non-finite score, gives no curve', () => {
    expect(rocCurve([0.1, 0.9], [0, 1], [0, 0])).toBeNull();
    expect(rocCurve([0.1, Number.POSITIVE_INFINITY, 0.5], [0, 1, 1])).toBeNull();
    expect(rocCurve([], [])).toBeNull();
  });
});

describe('confusionAt as sklearn confusion_matrix(y, p >= t)', () => {
  const cases = golden.roc.cases.flatMap((c) => c.confusion.map((k) => [`${c.name}, t = ${k.threshold}`, c, k] as const));
  it.each(cases)('%s', (_name, c, k) => {
    expect(confusionAt(nanForNull(c.scores), c.targets, k.threshold, c.mask ?? undefined)).toEqual({
      tp: k.tp, fp: k.fp, tn: k.tn, fn: k.fn, sensitivity: k.sensitivity, specificity: k.specificity,
    });
  });

  it('the golden thresholds include ties, one above all scores and one below all', () => {
    const c = golden.roc.cases[0];
    const ts = c.confusion.map((k) => k.threshold);
    const scores = c.scores as number[];
    expect(ts.some((t) => scores.includes(t))).toBe(true);
    expect(ts.some((t) => t > Math.max(...scores))).toBe(true);
    expect(ts.some((t) => t < Math.min(...scores))).toBe(true);
  });

  it('above every score nothing is positive: sensitivity 0, specificity 1', () => {
    expect(confusionAt([0.2, 0.7, 0.9], [0, 1, 1], 1.5)).toEqual({ tp: 0, fp: 0, tn: 1, fn: 2, sensitivity: 0, specificity: 1 });
  });

  it('a threshold on a curve point gives that point', () => {
    const s = [0.1, 0.4, 0.4, 0.4, 0.8, 0.8, 0.2];
    const t = [0, 0, 1, 1, 1, 0, 1];
    const curve = rocCurve(s, t)!;
    curve.thresholds.forEach((th, i) => {
      const k = confusionAt(s, t, th);
      expect([k.fp / (k.fp + k.tn), k.sensitivity]).toEqual([curve.fpr[i], curve.tpr[i]]);
    });
  });

  it('per label over a multi-label evaluation, one threshold or one per label', () => {
    const e = golden.evaluation;
    const shared = multiLabelConfusionAt(e.scores, e.targets, e.numLabels, 0.5, e.mask);
    expect(shared[5]).toEqual({ tp: 0, fp: 0, tn: 0, fn: 0, sensitivity: null, specificity: null });
    expect(shared[3].sensitivity).toBeNull();
    const perLabel = multiLabelConfusionAt(e.scores, e.targets, e.numLabels, [0.5, 0.3, 0.5, 0.5, 0.9, 0.5], e.mask);
    expect(perLabel[0]).toEqual(shared[0]);
    expect(perLabel[1]).not.toEqual(shared[1]);
    expect(() => multiLabelConfusionAt(e.scores, e.targets, e.numLabels, [0.5], e.mask)).toThrow(RangeError);
  });
});
