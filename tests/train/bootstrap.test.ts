/**
 * Bootstrap interval of the macro AUROC against sklearn roc_auc_score on the same mulberry32 resamples and
 * numpy.percentile (goldens: scripts/golden_eval_metrics.py).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/run/random';
import { multiLabelAuroc } from '../../src/train/auroc';
import { bootstrapMacroAuroc } from '../../src/train/bootstrap';
import { loadEvalMetrics } from './evalMetricsGolden';

const golden = loadEvalMetrics();

function caseData(c: (typeof golden.bootstrap)[number]) {
  if (c.scores) return { scores: c.scores, targets: c.targets!, numLabels: c.numLabels!, mask: c.mask! };
  return golden.evaluation;
}

/** The resample the golden script draws first: row indices floor(rand() * n). */
function firstResample(seed: number, n: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(random() * n));
}

describe('bootstrapMacroAuroc as sklearn + numpy.percentile on the same resamples', () => {
  it.each(golden.bootstrap.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const d = caseData(c);
    const got = bootstrapMacroAuroc(d.scores, d.targets, d.numLabels, d.mask, { seed: c.seed, resamples: c.resamples });
    expect(got.resamplesSkipped).toBe(c.resamplesSkipped);
    expect(got.resamplesUsed).toBe(c.resamplesUsed);
    expect(Math.abs(got.lo! - c.lo!)).toBeLessThan(1e-9);
    expect(Math.abs(got.hi! - c.hi!)).toBeLessThan(1e-9);
    expect(Math.abs(got.median! - c.median!)).toBeLessThan(1e-9);
  });

  it('the golden script draws the same rows as mulberry32 here', () => {
    for (const c of golden.bootstrap) {
      const n = caseData(c).scores.length / caseData(c).numLabels;
      expect(firstResample(c.seed, n).slice(0, c.firstDraws.length)).toEqual(c.firstDraws);
    }
  });

  it('the first resample macro equals multiLabelAuroc on those rows (duplicates as repeated rows)', () => {
    const c = golden.bootstrap[2];
    const d = caseData(c);
    const k = d.numLabels;
    const rows = firstResample(c.seed, d.scores.length / k);
    const pick = (v: number[]) => rows.flatMap((r) => v.slice(r * k, (r + 1) * k));
    expect(multiLabelAuroc(pick(d.scores), pick(d.targets), k, pick(d.mask)).macro!).toBeCloseTo(c.firstMacros[0], 12);
  });

  it('one golden case really skips resamples', () => {
    expect(golden.bootstrap.some((c) => c.resamplesSkipped > 0 && c.resamplesUsed > 0)).toBe(true);
  });
});

describe('bootstrapMacroAuroc edge cases', () => {
  it('no label with both classes: every resample skipped and no interval', () => {
    expect(bootstrapMacroAuroc([0.1, 0.2, 0.3, 0.4], [1, 0, 1, 0], 2, undefined, { resamples: 20 })).toEqual({
      lo: null, hi: null, median: null, resamplesUsed: 0, resamplesSkipped: 20,
    });
  });

  it('a perfectly separated label stays at AUROC 1 in every resample that has both classes', () => {
    const r = bootstrapMacroAuroc([0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1], 1, undefined, { resamples: 200, seed: 3 });
    expect([r.lo, r.median, r.hi]).toEqual([1, 1, 1]);
    expect(r.resamplesUsed + r.resamplesSkipped).toBe(200);
  });

  it('is deterministic for a seed and changes with it', () => {
    const e = golden.evaluation;
    const a = bootstrapMacroAuroc(e.scores, e.targets, e.numLabels, e.mask, { seed: 1, resamples: 50 });
    expect(bootstrapMacroAuroc(e.scores, e.targets, e.numLabels, e.mask, { seed: 1, resamples: 50 })).toEqual(a);
    expect(bootstrapMacroAuroc(e.scores, e.targets, e.numLabels, e.mask, { seed: 2, resamples: 50 })).not.toEqual(a);
  });

  it('leaves out a label with a non-finite score, as multiLabelAuroc does', () => {
    const scores = [0.1, 0.5, 0.9, Number.NaN, 0.3, 0.7, 0.2, 0.4];
    const targets = [0, 1, 1, 0, 0, 1, 1, 0];
    const withNaN = bootstrapMacroAuroc(scores, targets, 2, undefined, { resamples: 30, seed: 9 });
    const firstOnly = bootstrapMacroAuroc([0.1, 0.9, 0.3, 0.2], [0, 1, 0, 1], 1, undefined, { resamples: 30, seed: 9 });
    expect(withNaN).toEqual(firstOnly);
  });

  it('rejects a bad resample count and ragged input', () => {
    expect(() => bootstrapMacroAuroc([0.1, 0.2], [0, 1], 1, undefined, { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMacroAuroc([0.1, 0.2, 0.3], [0, 1, 0], 2)).toThrow(RangeError);
  });
});
