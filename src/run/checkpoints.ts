/**
 * What a run checkpoint holds, as plain arrays: everything needed to continue a run exactly where it was (a resume
 * checkpoint) or to score / export the best one. The application layer stores it (src/storage/runs.ts); the
 * session produces and restores it (src/train/sessionState.ts).
 */

/** One tensor as plain data (float32, row-major, PyTorch layout). */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type CheckpointKind = 'resume' | 'best';

export interface RunCheckpoint {
  kind: CheckpointKind;
  /** Steps done when it was taken. */
  step: number;
  /** The trainable tensors (LoRA A/B + fc_norm + head; every parameter for full fine-tuning). */
  trainable: NamedArray[];
  /** The adapter's rank and alpha at that step (the sliders may have changed them since the start). */
  lora?: { r: number; lora_alpha: number };
  /** resume only: optimizer state and the session's own settings that can change while it runs. */
  optimizer?: { slots: NamedArray[]; counters: Record<string, number> };
  evalEvery?: number;
  /** best only: the validation score that made it the best. */
  val?: { macroAuroc: number | null; loss: number };
}

export function checkpointBytes(c: Pick<RunCheckpoint, 'trainable' | 'optimizer'>): number {
  let n = 0;
  for (const t of c.trainable) n += t.data.byteLength;
  for (const t of c.optimizer?.slots ?? []) n += t.data.byteLength;
  return n;
}
