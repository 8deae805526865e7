import { describe, expect, it } from 'vitest';
import { evaluationsCsv, stepsCsv } from '../../src/run/metricsCsv';
import type { MetricsLog } from '../../src/run/records';

const log = {
  labels: ['Effusion', 'Mass, left'],
  steps: [
    { step: 1, loss: 0.69, lr: 1e-3, ms: 12 },
    { step: 2, loss: NaN, lr: 1e-3, ms: 11 },
  ],
  evaluations: [{ step: 2, split: 'val', loss: 0.6, auroc: { Effusion: 0.75, 'Mass, left': null }, macroAuroc: 0.75, images: 10 }],
  events: [],
} as unknown as MetricsLog;

describe('metrics CSV', () => {
  it('writes steps with empty cells for non-finite values', () => {
    expect(stepsCsv(log)).toBe('step,loss,lr,ms,notice\n1,0.69,0.001,12,Not for medical use\n2,,0.001,11,Not for medical use\n');
  });

  it('writes one AUROC column per label, quoting names with commas and leaving undefined AUROC empty', () => {
    expect(evaluationsCsv(log)).toBe('step,split,loss,macroAuroc,auroc_Effusion,"auroc_Mass, left",notice\n2,val,0.6,0.75,0.75,,Not for medical use\n');
  });
});
