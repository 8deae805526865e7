/** ECE and reliability bins against sklearn.calibration.calibration_curve (goldens: scripts/golden_eval_metrics.py). */
import { describe, expect, it } from 'vitest';
import { binEdges, binIndex, calibration, multiLabelCalibration, type LabelCalibration } from '../../src/train/calibration';
import { type CalibrationGolden, loadEvalMetrics } from './evalMetricsGolden';

const golden = loadEvalMetrics();

function expectMatches(got: LabelCalibration, want: CalibrationGolden, numBins: number) {
  expect(got.bins).toHaveLength(numBins);
  expect(got.count).toBe(want.count);
  const nonEmpty = got.bins.map((b, i) => (b.count > 0 ? i : -1)).filter((i) => i >= 0);
  expect(nonEmpty).toEqual(want.binIndex);
  nonEmpty.forEach((b, j) => {
    expect(got.bins[b].count, `bin ${b}`).toBe(want.binCount[j]);
    expect(got.bins[b].meanPredicted!, `bin ${b}`).toBeCloseTo(want.meanPredicted[j], 14);
    expect(got.bins[b].fractionPositive!, `bin ${b}`).toBeCloseTo(want.fractionPositive[j], 14);
  });
  for (const b of got.bins) if (b.count === 0) expect([b.meanPredicted, b.fractionPositive]).toEqual([null, null]);
  if (want.ece === null) expect(got.ece).toBeNull();
  else expect(got.ece!).toBeCloseTo(want.ece, 14);
}

describe('calibration as sklearn calibration_curve(strategy="uniform") + NumPy ECE', () => {
  it.each(golden.calibration.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectMatches(calibration(c.probs, c.targets, c.mask ?? undefined, c.numBins), c, c.numBins);
  });

  it('multi-label evaluation: edge values, rare, one-class, partly and fully masked labels, and the mean ECE', () => {
    const e = golden.evaluation;
    const report = multiLabelCalibration(e.scores, e.targets, e.numLabels, e.mask);
    report.perLabel.forEach((got, l) => expectMatches(got, golden.calibration.perLabel[l], 15));
    expect(golden.calibration.perLabel.map((c) => c.ece === null)).toEqual([false, false, false, false, false, true]);
    expect(report.meanEce!).toBeCloseTo(golden.calibration.meanEce!, 14);
  });

  it('the golden set really covers p = 0, p = 1 and every edge', () => {
    const edges = Array.from(binEdges(15));
    const probs = golden.calibration.cases[0].probs;
    expect(probs).toEqual(edges);
  });
});

describe('bin edges', () => {
  it('are numpy.linspace(0, 1, n + 1): i * (1 / n), not i / n, with the last exactly 1', () => {
    const edges15 = binEdges(15);
    expect(edges15).toHaveLength(16);
    expect([edges15[0], edges15[15]]).toEqual([0, 1]);
    // For 15 bins both formulas agree; for 10 they differ at i = 3, 6, 7 (0.30000000000000004 vs 0.3),
    // which the 10-bin golden case puts values on.
    const edges10 = binEdges(10);
    expect(edges10[3]).toBe(3 * 0.1);
    expect(edges10[3]).not.toBe(0.3);
    expect(binIndex(3 * 0.1, edges10)).toBe(2);
    expect(binIndex(0.3, edges10)).toBe(2);
  });

  it('put a value on an edge in the bin below, p = 0 in the first and p = 1 in the last', () => {
    const edges = binEdges(15);
    expect(binIndex(0, edges)).toBe(0);
    expect(binIndex(edges[1], edges)).toBe(0);
    expect(binIndex(edges[7], edges)).toBe(6);
    expect(binIndex(1, edges)).toBe(14);
    expect(binIndex(0.999, edges)).toBe(14);
  });
});

describe('calibration edge cases', () => {
  it('a label with every entry masked has no ECE and 15 empty bins', () => {
    const c = calibration([0.2, 0.7], [0, 1], [0, 0]);
    expect(c.ece).toBeNull();
    expect(c.count).toBe(0);
    expect(c.bins.every((b) => b.count === 0 && b.meanPredicted === null)).toBe(true);
  });

  it('a non-finite probability (diverged model) gives no ECE, even beside finite ones', () => {
    expect(calibration([0.2, Number.NaN, 0.6], [0, 1, 1]).ece).toBeNull();
    expect(calibration([0.2, Number.NaN, 0.6], [0, 1, 1], [1, 0, 1]).ece).not.toBeNull();
  });

  it('throws on logits instead of probabilities, as sklearn raises', () => {
    expect(() => calibration([0.2, 1.5], [0, 1])).toThrow(RangeError);
    expect(() => calibration([-0.1, 0.5], [0, 1])).toThrow(RangeError);
  });

  it('rejects mismatched lengths and partial rows', () => {
    expect(() => calibration([0.2, 0.3], [0])).toThrow(RangeError);
    expect(() => multiLabelCalibration([0.1, 0.2, 0.3], [0, 1, 0], 2)).toThrow(RangeError);
  });

  it('no label with an ECE: the mean is null', () => {
    expect(multiLabelCalibration([0.1, 0.2], [0, 1], 2, [0, 0]).meanEce).toBeNull();
  });
});
