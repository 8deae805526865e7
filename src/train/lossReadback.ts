/**
 * Step losses stay on the device until a few steps have run, then are read back in one asynchronous call: no
 * per-step dataSync, so a GPU backend never waits for the page. The read-back also times the steps: GPU work is
 * queued, so only the wall-clock time from the first step of a window to its read-back measures what they cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepRecord } from '../run/records';

interface PendingLoss {
  step: number;
  lr: number;
  loss: tf.Scalar;
}

export class LossReadback {
  private pending: PendingLoss[] = [];
  private windowStart = 0;
  /** Smoothed ms per step (for the ETA); 0 until the first read-back. */
  stepMsEma = 0;

  constructor(private readonly readEvery: number) {}

  /** Call before each step: opens the timing window when no loss is waiting. */
  beforeStep(): void {
    if (this.pending.length === 0) this.windowStart = performance.now();
  }

  /** Takes ownership of `loss`. */
  push(step: number, lr: number, loss: tf.Scalar): void {
    this.pending.push({ step, lr, loss });
  }

  get due(): boolean {
    return this.pending.length >= this.readEvery;
  }

  /** Reads every waiting loss back; [] when none waits. */
  async flush(): Promise<StepRecord[]> {
    if (this.pending.length === 0) return [];
    const batch = this.pending;
    this.pending = [];
    const stacked = tf.stack(batch.map((p) => p.loss));
    const values = await stacked.data();
    stacked.dispose();
    const ms = (performance.now() - this.windowStart) / batch.length;
    this.stepMsEma = this.stepMsEma ? 0.7 * this.stepMsEma + 0.3 * ms : ms;
    for (const p of batch) p.loss.dispose();
    return batch.map((p, i) => ({ step: p.step, loss: values[i], lr: p.lr, ms }));
  }
}
