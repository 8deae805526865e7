/**
 * Learning-rate schedule of the MAE / MRM fine-tuning code (util/lr_sched.py): linear warm-up from 0 to the
 * peak, then a half-cycle cosine down to minLr, evaluated per iteration.
 */
export interface LrSchedule {
  peakLr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

export function learningRateAt(step: number, s: LrSchedule): number {
  if (step < s.warmupSteps) return (s.peakLr * step) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + (s.peakLr - s.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** The MAE rule: lr = base lr x batch size / 256. */
export function scaledLr(baseLr: number, batchSize: number): number {
  return (baseLr * batchSize) / 256;
}
