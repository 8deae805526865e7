import { describe, expect, it } from 'vitest';
import { aurocSummary, lossSummary, lrSummary, macroSummary } from '../../src/ui/view/chartSummaries';

describe('chart summaries for screen readers', () => {
  it('say when there is nothing yet', () => {
    expect(lossSummary([], [], [])).toBe('No training steps yet.');
    expect(aurocSummary([], undefined)).toBe('No evaluation yet.');
    expect(macroSummary([])).toBe('No evaluation yet.');
    expect(lrSummary([])).toBe('No training steps yet.');
  });
  it('give the latest numbers', () => {
    expect(
      lossSummary(
        [{ step: 12, trainLoss: 0.51234, smoothedLoss: 0.53 }],
        [{ step: 10, valLoss: 0.6 }],
        [{ step: 5, text: 'r 4→8', key: 'k' }],
      ),
    ).toBe('Step 12: training loss 0.5123, smoothed 0.53. Validation loss 0.6 at step 10. 1 setting change marked: r 4→8 at step 5.');
    expect(
      aurocSummary(
        [
          { label: 'A', auroc: 0.7, text: '0.700' },
          { label: 'B', auroc: null, text: 'n/a' },
        ],
        { step: 20, split: 'val', loss: 1, auroc: {}, macroAuroc: 0.7, images: 4 },
      ),
    ).toBe('Validation AUROC at step 20: A 0.700, B n/a.');
    expect(
      macroSummary([
        { step: 10, macroAuroc: 0.7 },
        { step: 20, macroAuroc: 0.65 },
      ]),
    ).toBe('Macro AUROC 0.650 at step 20; best 0.700 at step 10.');
    expect(lrSummary([{ step: 1, lr: 0.05 }, { step: 2, lr: 0.02 }])).toBe('Learning rate 0.02 at step 2; peak so far 0.05.');
  });
});
