/** When a checkpoint is not kept as the resume point: the losses since the last checkpoint point diverged. */
import { describe, expect, it } from 'vitest';
import { DIVERGED_LOSS, lossesDiverged } from '../../src/train/nonFiniteLoss';

describe('lossesDiverged', () => {
  it('is false with no losses and for a healthy run', () => {
    expect(lossesDiverged([])).toBe(false);
    expect(lossesDiverged([0.69, 0.65, 0.6])).toBe(false);
  });
  it('forgives a single confidently wrong image at batch 1 among healthy steps', () => {
    // The shape of a real 700-step SwiftShader run at batch 1: two single-image losses above 10, loss ending at 0.69.
    const losses = Array.from({ length: 25 }, () => 0.6);
    losses[12] = 13.3;
    expect(lossesDiverged(losses)).toBe(false);
  });
  it('is true when the mean is above the bound, or any loss is not finite', () => {
    expect(lossesDiverged([0.7, 40, 300])).toBe(true);
    expect(lossesDiverged([DIVERGED_LOSS + 0.5, DIVERGED_LOSS + 0.5])).toBe(true);
    expect(lossesDiverged([0.6, Number.NaN])).toBe(true);
    expect(lossesDiverged([0.6, Number.POSITIVE_INFINITY])).toBe(true);
  });
});
