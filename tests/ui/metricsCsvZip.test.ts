import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { evaluationsCsv, stepsCsv } from '../../src/run/metricsCsv';
import { metricsCsvZip } from '../../src/ui/view/metricsCsvZip';
import { defaultSettings, toRunConfig } from '../../src/ui/view/runSettings';
import type { MetricsLog } from '../../src/run/records';

function metricsLog(): MetricsLog {
  return {
    config: { ...toRunConfig(defaultSettings(), 'ds'), backend: 'wasm', initialisationNote: 'random', microBatch: 32 },
    labels: ['Atelectasis', 'Pleural Effusion'],
    steps: [
      { step: 1, loss: 0.71, lr: 0.001, ms: 40 },
      { step: 2, loss: 0.69, lr: 0.002, ms: 38 },
    ],
    evaluations: [{ step: 2, split: 'val', loss: 0.68, auroc: { Atelectasis: 0.61, 'Pleural Effusion': null }, macroAuroc: 0.61, images: 32 }],
    events: [],
    params: { trainable: 10, total: 100 },
    startedAt: '2026-11-28T03:47:23.000Z',
    notice: 'Not for medical use',
  };
}

describe('metricsCsvZip', () => {
  it('names the zip and both tables after the run', () => {
    const zip = metricsCsvZip(metricsLog(), 'demo-lora-20261128T034723Z');
    expect(zip.fileName).toBe('demo-lora-20261128T034723Z-metrics-csv.zip');
    expect(zip.entries).toEqual(['demo-lora-20261128T034723Z-steps.csv', 'demo-lora-20261128T034723Z-evaluations.csv']);
  });
  it('holds exactly the two CSV tables of src/run/metricsCsv, byte for byte', () => {
    const log = metricsLog();
    const zip = metricsCsvZip(log, 'run');
    const files = unzipSync(zip.bytes);
    expect(Object.keys(files).sort()).toEqual(['run-evaluations.csv', 'run-steps.csv']);
    expect(strFromU8(files['run-steps.csv'])).toBe(stepsCsv(log));
    expect(strFromU8(files['run-evaluations.csv'])).toBe(evaluationsCsv(log));
    expect(strFromU8(files['run-evaluations.csv']).split('\n')[1]).toBe('2,val,0.68,0.61,0.61,,Not for medical use');
  });
});
