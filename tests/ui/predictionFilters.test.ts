/** The predictions grid's filters and pages (src/ui/view/predictionFilters.ts), tied to the ROC view's counts. */
import { describe, expect, it } from 'vitest';
import type { RunPredictions } from '../../src/run/predictions';
import { callOf, filterRows, imageRow, outcomeCounts, pageOf } from '../../src/ui/view/predictionFilters';
import { predictionsFile, fromPredictionsFile } from '../../src/ui/view/predictionsFile';
import { labelRocs, thresholdRows } from '../../src/ui/view/rocView';
import { mulberry32 } from '../../src/run/random';

/** Two labels, five images: rows are [score A, score B], targets, masks (B of image 4 is "ignore"). */
const p: RunPredictions = {
  runId: 'r', split: 'test', step: 7, datasetId: 'd', labels: ['A', 'B'],
  keys: ['test/NORMAL/a.png', 'test/PNEU/b.png', 'c.png', 'd.png', 'e.png'],
  scores: Float32Array.from([0.9, 0.1, 0.2, 0.7, 0.6, 0.4, 0.3, 0.8, 0.5, 0.9]),
  targets: Float32Array.from([1, 0, 1, 1, 0, 1, 0, 0, 1, 1]),
  masks: Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]),
};

describe('callOf', () => {
  it('positive means score >= threshold; a masked entry counts nowhere', () => {
    expect(callOf(0.5, 1, 1, 0.5)).toBe('tp');
    expect(callOf(0.49, 1, 1, 0.5)).toBe('fn');
    expect(callOf(0.5, 0, 1, 0.5)).toBe('fp');
    expect(callOf(0.1, 0, 1, 0.5)).toBe('tn');
    expect(callOf(0.9, 1, 0, 0.5)).toBe('ignored');
  });
});

describe('filterRows', () => {
  it('one label: correct / false positive / false negative at the threshold', () => {
    // A at 0.5: a tp, b fn (0.2), c fp (0.6), d tn, e tp.
    expect(filterRows(p, { label: 0, outcome: 'all', threshold: 0.5 })).toEqual([0, 1, 2, 3, 4]);
    expect(filterRows(p, { label: 0, outcome: 'correct', threshold: 0.5 })).toEqual([0, 3, 4]);
    expect(filterRows(p, { label: 0, outcome: 'falsePositive', threshold: 0.5 })).toEqual([2]);
    expect(filterRows(p, { label: 0, outcome: 'falseNegative', threshold: 0.5 })).toEqual([1]);
    // B at 0.5: a tn, b tp, c fn (0.4), d fp (0.8), e ignored (never correct, never wrong).
    expect(filterRows(p, { label: 1, outcome: 'correct', threshold: 0.5 })).toEqual([0, 1]);
    expect(filterRows(p, { label: 1, outcome: 'falsePositive', threshold: 0.5 })).toEqual([3]);
    expect(filterRows(p, { label: 1, outcome: 'falseNegative', threshold: 0.5 })).toEqual([2]);
  });

  it('any label: correct when every counted label is, wrong when any is', () => {
    expect(filterRows(p, { label: null, outcome: 'correct', threshold: 0.5 })).toEqual([0, 4]);
    expect(filterRows(p, { label: null, outcome: 'falsePositive', threshold: 0.5 })).toEqual([2, 3]);
    expect(filterRows(p, { label: null, outcome: 'falseNegative', threshold: 0.5 })).toEqual([1, 2]);
  });

  it('the grid\'s false positives / negatives of a label are the ROC view\'s FP / FN counts at every threshold', () => {
    const random = mulberry32(5);
    const n = 200;
    const big: RunPredictions = {
      ...p, labels: ['A', 'B', 'C'], keys: Array.from({ length: n }, (_, i) => `k${i}`),
      scores: Float32Array.from({ length: n * 3 }, () => random()),
      targets: Float32Array.from({ length: n * 3 }, () => (random() < 0.3 ? 1 : 0)),
      masks: Float32Array.from({ length: n * 3 }, () => (random() < 0.9 ? 1 : 0)),
    };
    const rocs = labelRocs(big);
    for (const t of [0, 0.13, 0.5, 0.77, 1]) {
      thresholdRows(big, rocs, t).forEach((row, l) => {
        const counts = outcomeCounts(big, l, t);
        expect(counts.falsePositive).toBe(row.counts.fp);
        expect(counts.falseNegative).toBe(row.counts.fn);
        expect(counts.correct).toBe(row.counts.tp + row.counts.tn);
        expect(counts.all).toBe(n);
      });
    }
  });
});

describe('pages and rows', () => {
  it('pageOf clamps the page and counts the pages', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    expect(pageOf(items, 0, 10)).toEqual({ items: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], page: 0, pages: 3 });
    expect(pageOf(items, 2, 10).items).toEqual([20, 21, 22, 23, 24]);
    expect(pageOf(items, 9, 10).page).toBe(2);
    expect(pageOf([], 3, 10)).toEqual({ items: [], page: 0, pages: 1 });
  });

  it('imageRow: file name, probability, truth and call per label', () => {
    const row = imageRow(p, 4, 0.5);
    expect(row.name).toBe('e.png');
    expect(imageRow(p, 1, 0.5).name).toBe('b.png');
    expect(row.cells).toEqual([
      { label: 'A', probability: Math.fround(0.5), truth: 'positive', call: 'tp' },
      { label: 'B', probability: Math.fround(0.9), truth: 'ignored', call: 'ignored' },
    ]);
  });
});

describe('predictionsFile', () => {
  it('one readable row per image, and back to the same arrays', () => {
    const f = predictionsFile(p);
    expect(f).toMatchObject({ runId: 'r', split: 'test', step: 7, labels: ['A', 'B'] });
    expect(f.images[1]).toEqual({ key: 'test/PNEU/b.png', probabilities: [Math.fround(0.2), Math.fround(0.7)], targets: [1, 1], masks: [1, 1] });
    const back = fromPredictionsFile(JSON.parse(JSON.stringify(f)));
    expect(back.keys).toEqual(p.keys);
    expect([...back.scores]).toEqual([...p.scores]);
    expect([...back.targets]).toEqual([...p.targets]);
    expect([...back.masks]).toEqual([...p.masks]);
  });
});
