/** AUROC against scikit-learn's roc_auc_score (goldens from scripts/golden_metrics.py). */
import { describe, expect, it } from 'vitest';
import { auroc, multiLabelAuroc } from '../../src/train/auroc';
import { loadMetrics } from '../model/goldenFixtures';

const { auroc: golden } = loadMetrics();

describe('AUROC as sklearn.metrics.roc_auc_score', () => {
  it.each(golden.binary.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = auroc(c.scores, c.targets, c.mask ?? undefined);
    if (c.auroc === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(c.auroc, 9);
  });

  it('14 labels with masks: per label (one constant label, one left with a single class by its mask) and macro', () => {
    const m = golden.multiLabel;
    const report = multiLabelAuroc(m.scores, m.targets, m.numLabels, m.mask);
    expect(report.perLabel.map((v) => v === null)).toEqual(m.perLabel.map((v) => v === null));
    expect(m.perLabel.filter((v) => v === null).length).toBe(2);
    report.perLabel.forEach((v, j) => {
      if (m.perLabel[j] !== null) expect(v, `label ${j}`).toBeCloseTo(m.perLabel[j]!, 9);
    });
    expect(report.macro).toBeCloseTo(m.macro!, 9);
  });

  it('no label with both classes: macro is undefined, not 0.5', () => {
    expect(multiLabelAuroc([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 0], 2)).toEqual({ perLabel: [null, null], macro: null });
  });

  it('does not depend on the order of the samples', () => {
    const c = golden.binary.find((b) => b.name.startsWith('301'))!;
    const order = c.scores.map((_, i) => i).reverse();
    expect(auroc(order.map((i) => c.scores[i]), order.map((i) => c.targets[i]))).toBeCloseTo(auroc(c.scores, c.targets)!, 12);
  });
});

describe('auroc on a diverged model', () => {
  it('reports no AUROC when a score is NaN or infinite, instead of a ranking of garbage', () => {
    expect(auroc([0.1, Number.NaN, 0.8, 0.3], [0, 1, 1, 0])).toBeNull();
    expect(auroc([0.1, Number.POSITIVE_INFINITY, 0.8, 0.3], [0, 1, 1, 0])).toBeNull();
    // A masked-out NaN does not count.
    expect(auroc([0.1, Number.NaN, 0.8, 0.3], [0, 1, 1, 0], [1, 0, 1, 1])).toBe(1);
  });
});
