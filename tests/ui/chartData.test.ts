import { describe, expect, it } from 'vitest';
import { aurocBars, downsample, emaSmooth, eventMarkers, latestEvaluation, lossRows, lrRows, macroAurocRows, valLossRows } from '../../src/ui/view/chartData';
import type { EvaluationRecord, RunEvent, StepRecord } from '../../src/run/records';
const steps = (losses: number[]): StepRecord[] => losses.map((loss, i) => ({ step: i + 1, loss, lr: 0.01 * (i + 1), ms: 10 }));

function evaluation(step: number, split: EvaluationRecord['split'], auroc: Record<string, number | null>, macroAuroc: number | null): EvaluationRecord {
  return { step, split, loss: 1 / step, auroc, macroAuroc, images: 10 };
}

describe('emaSmooth (debiased, as TensorBoard)', () => {
  it('starts at the first value instead of being pulled to 0', () => {
    expect(emaSmooth([0.8, 0.8, 0.8], 0.9)).toEqual([0.8, 0.8, 0.8].map((v) => expect.closeTo(v, 12)));
  });
  it('matches the recurrence by hand', () => {
    // w=0.5: s1 = 0.5*1 / (1-0.5) = 1; s2 = (0.25 + 0.5*0) / (1-0.25) = 1/3; s3 = (0.125 + 0.5*1) / (1-0.125) = 5/7
    const [a, b, c] = emaSmooth([1, 0, 1], 0.5);
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(1 / 3, 12);
    expect(c).toBeCloseTo(5 / 7, 12);
  });
  it('weight 0 is the raw series', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
  });
  it('a NaN loss stays NaN and does not poison later points', () => {
    const out = emaSmooth([1, Number.NaN, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });
  it('rejects weights outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow();
    expect(() => emaSmooth([1], -0.1)).toThrow();
  });
});

describe('downsample', () => {
  it('keeps short series whole', () => {
    expect(downsample([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });
  it('keeps at most maxPoints, the first and the newest', () => {
    const rows = Array.from({ length: 1001 }, (_, i) => i);
    const out = downsample(rows, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out[0]).toBe(0);
    expect(out.at(-1)).toBe(1000);
    expect(out).toEqual([...out].sort((x, y) => x - y));
  });
});

describe('loss and lr rows', () => {
  it('smooths over every step before downsampling', () => {
    const losses = Array.from({ length: 50 }, (_, i) => Math.exp(-i / 10) + (i % 2) * 0.1);
    const rows = lossRows(steps(losses), 0.9, 10);
    const full = emaSmooth(losses, 0.9);
    expect(rows.length).toBeLessThanOrEqual(10);
    const last = rows.at(-1)!;
    expect(last.step).toBe(50);
    expect(last.trainLoss).toBe(losses[49]);
    expect(last.smoothedLoss).toBeCloseTo(full[49], 12);
  });
  it('lr rows follow the steps', () => {
    expect(lrRows(steps([1, 1]), 10)).toEqual([
      { step: 1, lr: 0.01 },
      { step: 2, lr: 0.02 },
    ]);
  });
});

describe('evaluations', () => {
  const evals = [
    evaluation(10, 'val', { A: 0.6, B: null }, 0.6),
    evaluation(20, 'val', { A: 0.7, B: 0.4 }, 0.55),
    evaluation(20, 'test', { A: 0.9, B: 0.9 }, 0.9),
  ];
  it('validation loss and macro AUROC use the val split only; null stays null', () => {
    expect(valLossRows(evals)).toEqual([
      { step: 10, valLoss: 0.1 },
      { step: 20, valLoss: 0.05 },
    ]);
    expect(macroAurocRows([evaluation(5, 'val', {}, null), ...evals]).map((r) => r.macroAuroc)).toEqual([null, 0.6, 0.55]);
  });
  it('latest evaluation is the newest of the split', () => {
    expect(latestEvaluation(evals)?.auroc.A).toBe(0.7);
    expect(latestEvaluation(evals, 'test')?.auroc.A).toBe(0.9);
    expect(latestEvaluation([])).toBeUndefined();
  });
  it('one bar per label in label order; missing or null AUROC is n/a', () => {
    const bars = aurocBars(['B', 'A', 'C'], evals[0]);
    expect(bars).toEqual([
      { label: 'B', auroc: null, text: 'n/a' },
      { label: 'A', auroc: 0.6, text: '0.600' },
      { label: 'C', auroc: null, text: 'n/a' },
    ]);
    expect(aurocBars(['A'], undefined)).toEqual([{ label: 'A', auroc: null, text: 'n/a' }]);
  });
});

describe('eventMarkers', () => {
  it('marks slider changes with their values, not pause/resume, with unique keys', () => {
    const events: RunEvent[] = [
      { step: 30, kind: 'lora_rank', from: 4, to: 8 },
      { step: 30, kind: 'lora_alpha', from: 32, to: 16 },
      { step: 40, kind: 'pause', from: null, to: null },
      { step: 45, kind: 'resume', from: null, to: null },
      { step: 50, kind: 'eval_every', from: 20, to: 5 },
    ];
    const markers = eventMarkers(events);
    expect(markers.map((m) => [m.step, m.text])).toEqual([
      [30, 'r 4→8'],
      [30, 'α 32→16'],
      [50, 'eval every 20→5'],
    ]);
    expect(new Set(markers.map((m) => m.key)).size).toBe(3);
  });
});
