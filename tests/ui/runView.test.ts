import { describe, expect, it } from 'vitest';
import { MAX_LOG_LINES, appendLog, applyMessage, hasExportableModel, initialRunView, isActive, stepStatusText } from '../../src/ui/view/runView';
import type { TrainerMessage } from '../../src/run/records';

function fold(messages: TrainerMessage[]) {
  return messages.reduce(applyMessage, initialRunView(100));
}

describe('applyMessage', () => {
  it('folds steps, evaluations, events, params and state', () => {
    const v = fold([
      { type: 'state', state: 'running', step: 0, totalSteps: 100 },
      { type: 'steps', steps: [{ step: 1, loss: 0.7, lr: 0.01, ms: 5 }] },
      { type: 'steps', steps: [{ step: 2, loss: 0.6, lr: 0.01, ms: 5 }, { step: 3, loss: 0.5, lr: 0.01, ms: 5 }] },
      { type: 'evaluation', evaluation: { step: 3, split: 'val', loss: 0.65, auroc: { A: 0.6 }, macroAuroc: 0.6, images: 8 } },
      { type: 'event', event: { step: 3, kind: 'lora_rank', from: 4, to: 8 } },
      { type: 'params', params: { trainable: 10, total: 100 }, r: 8, lora_alpha: 32 },
    ]);
    expect(v.steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(v.step).toBe(3);
    expect(v.evaluations).toHaveLength(1);
    expect(v.events[0].to).toBe(8);
    expect(v.params).toEqual({ trainable: 10, total: 100 });
    expect(v.state).toBe('running');
  });
  it('never mutates the previous view (React compares by reference)', () => {
    const before = initialRunView(10);
    const after = applyMessage(before, { type: 'steps', steps: [{ step: 1, loss: 1, lr: 1, ms: 1 }] });
    expect(before.steps).toHaveLength(0);
    expect(after).not.toBe(before);
  });
  it('keeps only the newest log lines, with unique ids', () => {
    let v = initialRunView(1);
    for (let i = 0; i < MAX_LOG_LINES + 5; i++) v = appendLog(v, 'info', `line ${i}`);
    expect(v.logs).toHaveLength(MAX_LOG_LINES);
    expect(v.logs.at(-1)?.message).toBe(`line ${MAX_LOG_LINES + 4}`);
    expect(new Set(v.logs.map((l) => l.id)).size).toBe(MAX_LOG_LINES);
  });
});

describe('stepStatusText (page contract: "Step <k>")', () => {
  it('reads "Step k of N" with the ETA while running', () => {
    const v = fold([{ type: 'state', state: 'running', step: 40, totalSteps: 200, etaSec: 65 }]);
    expect(stepStatusText(v)).toBe('Step 40 of 200 · ETA 1 min 05 s');
  });
  it('says why it is not moving', () => {
    expect(stepStatusText(initialRunView(50))).toBe('Step 0 of 50 · not started');
    expect(stepStatusText(fold([{ type: 'state', state: 'error', message: 'out of memory', step: 3, totalSteps: 100 }]))).toBe(
      'Step 3 of 100 · failed: out of memory',
    );
  });
  it('active states', () => {
    expect(['starting', 'running', 'paused'].every((s) => isActive(s as never))).toBe(true);
    expect(['idle', 'stopped', 'finished', 'error'].some((s) => isActive(s as never))).toBe(false);
  });
});

describe('hasExportableModel', () => {
  it('allows exports of paused, stopped and finished runs only', () => {
    const states = ['idle', 'starting', 'running', 'paused', 'stopped', 'finished', 'error'] as const;
    expect(states.filter(hasExportableModel)).toEqual(['paused', 'stopped', 'finished']);
  });
});
