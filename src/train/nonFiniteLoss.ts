/**
 * A training loss that is NaN or infinite (a learning rate far too high, a broken input): the weights it updated are
 * no longer usable, so the run must stop at that step and continue, if at all, from its last good checkpoint.
 */
import type { StepRecord } from '../run/records';

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly lr: number,
    readonly loss: number,
  ) {
    super(`the training loss became ${Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'infinite' : '-infinite'} at step ${step} (learning rate ${lr.toPrecision(3)})`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * A mean BCE above this means the model has diverged: the mean probability it gives the true labels is below
 * e^-10 ≈ 4.5e-5, where a chance-level model scores ln 2 ≈ 0.69. A checkpoint taken after such steps is not kept
 * as the resume point: weights that diverged are no better than the NaN that usually follows.
 */
export const DIVERGED_LOSS = 10;

/**
 * Whether the training losses since the last checkpoint point say the model diverged: one is not finite, or their
 * mean is above DIVERGED_LOSS. The mean, not the largest: with a batch of one, a single confidently wrong image
 * scores above 10 now and then (seen at steps 38 and 63 of a healthy 700-step run whose loss ended at 0.69), while
 * a diverged model stays there.
 */
export function lossesDiverged(losses: readonly number[]): boolean {
  if (losses.length === 0) return false;
  if (losses.some((l) => !Number.isFinite(l))) return true;
  return losses.reduce((a, l) => a + l, 0) / losses.length > DIVERGED_LOSS;
}

/** The first step whose loss is not finite, or undefined. */
export function firstNonFinite(records: readonly StepRecord[]): StepRecord | undefined {
  return records.find((r) => !Number.isFinite(r.loss));
}
