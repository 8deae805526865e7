/** Which runs can explain an image, and the partner the side-by-side view offers (src/ui/view/saliencyRuns.ts). */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/run/runs';
import type { Method } from '../../src/run/loraConfig';
import { explainableRuns, pairedRun, runChoiceText } from '../../src/ui/view/saliencyRuns';

function run(id: string, method: Method, extra: { gridId?: string; seed?: number; fraction?: number; datasetId?: string; resumeStep?: number | null; source?: 'browser' | 'pytorch' } = {}): RunSummary {
  return {
    id, name: `run-${id}`, source: extra.source ?? 'browser', datasetId: extra.datasetId ?? 'd', gridId: extra.gridId,
    resumeStep: extra.resumeStep === undefined ? 10 : extra.resumeStep,
    config: { method, seed: extra.seed ?? 1, trainFraction: extra.fraction },
  } as unknown as RunSummary;
}

describe('explainableRuns', () => {
  it('same dataset, trained here, with a checkpoint, or the live run', () => {
    const runs = [
      run('a', 'lora'),
      run('b', 'fft', { datasetId: 'other' }),
      run('c', 'lora', { resumeStep: null }),
      run('live', 'fft', { resumeStep: null }),
      run('py', 'lora', { source: 'pytorch' }),
    ];
    expect(explainableRuns(runs, 'd', 'live').map((r) => r.id)).toEqual(['a', 'live']);
    expect(explainableRuns(runs, 'd').map((r) => r.id)).toEqual(['a']);
  });
});

describe('pairedRun', () => {
  it('a grid cell\'s partner: same grid, seed and fraction, the other method', () => {
    const cells = [
      run('l1', 'lora', { gridId: 'g', fraction: 0.1 }),
      run('f1', 'fft', { gridId: 'g', fraction: 0.1, seed: 2 }),
      run('f2', 'fft', { gridId: 'g', fraction: 1 }),
      run('f3', 'fft', { gridId: 'g', fraction: 0.1 }),
      run('p3', 'linear', { gridId: 'g', fraction: 0.1 }),
    ];
    expect(pairedRun(cells[0], cells)?.id).toBe('f3');
    expect(pairedRun(cells[3], cells)?.id).toBe('l1');
  });

  it('outside a grid: the first other run of the other method, else any other run, else none', () => {
    const runs = [run('a', 'lora'), run('b', 'linear'), run('c', 'fft'), run('d', 'fft')];
    expect(pairedRun(runs[0], runs)?.id).toBe('c');
    expect(pairedRun(runs[1], runs)?.id).toBe('a');
    expect(pairedRun(runs[0], [runs[0]])).toBeUndefined();
  });

  it('names a run with its method', () => {
    expect(runChoiceText(run('a', 'fft'))).toBe('run-a (Full fine-tuning)');
  });
});
