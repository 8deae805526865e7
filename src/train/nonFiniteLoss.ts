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
 * e^-10 ≈ 4.5e-5, where a chance-level model scores ln 2 ≈ 0.69. A checkpoint taken after such a step is not kept
 * as the resume point: weights that diverged are no better than the NaN that usually follows.
 */
export const DIVERGED_LOSS = 10;

export function isDivergedLoss(loss: number): boolean {
  return !Number.isFinite(loss) || loss > DIVERGED_LOSS;
}

/** The first step whose loss is not finite, or undefined. */
export function firstNonFinite(records: readonly StepRecord[]): StepRecord | undefined {
  return records.find((r) => !Number.isFinite(r.loss));
}
