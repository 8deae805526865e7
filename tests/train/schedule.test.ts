/**
 * The learning-rate schedule against MAE / MRM's util/lr_sched.adjust_learning_rate evaluated at fractional
 * epochs in Python (linear warm-up, then half-cycle cosine to min_lr), and the lr = blr x batch / 256 rule.
 */
import { describe, expect, it } from 'vitest';
import { learningRateAt, scaledLr } from '../../src/train/schedule';
import { loadMetrics } from '../model/goldenFixtures';

const { schedule } = loadMetrics();

describe.each(schedule.map((s) => [`blr ${s.baseLr}, batch ${s.batchSize}, ${s.warmupEpochs}/${s.epochs} epochs x ${s.itersPerEpoch}`, s] as const))(
  'schedule %s',
  (_name, s) => {
    it('peak lr = blr x batch / 256', () => {
      expect(scaledLr(s.baseLr, s.batchSize)).toBeCloseTo(s.peakLr, 15);
    });

    it('every step matches the Python values', () => {
      const cfg = { peakLr: s.peakLr, minLr: s.minLr, warmupSteps: s.warmupEpochs * s.itersPerEpoch, totalSteps: s.epochs * s.itersPerEpoch };
      s.steps.forEach((step, i) => {
        const want = s.lrs[i];
        expect(Math.abs(learningRateAt(step, cfg) - want), `step ${step}`).toBeLessThanOrEqual(1e-8 * s.peakLr + 1e-15);
      });
      // starts at 0, reaches the peak right after warm-up, never goes below minLr
      expect(learningRateAt(0, cfg)).toBe(0);
      expect(learningRateAt(cfg.warmupSteps, cfg)).toBeCloseTo(s.peakLr, 15);
      expect(learningRateAt(cfg.totalSteps + 5, cfg)).toBeCloseTo(s.minLr, 15);
    });
  },
);
