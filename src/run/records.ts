/**
 * The records of one training run: its config, the step / evaluation / event records it produces, the messages
 * the running session sends, and the metrics file ("Download metrics", documented in the README). Plain data
 * (structured-clone safe), shared by the training loop, the application layer, the workers and the page.
 */
import type { VitPresetName } from './vitConfig';
import type { ParamCount } from './paramCount';
import type { BackendName } from './backends';
import type { Split } from './datasets';
import type { Method, LoraConfig } from './loraConfig';

export type OptimizerName = 'sgd' | 'adamw';

export type Initialisation = 'random' | 'pretrained-demo' | 'checkpoint';

export interface RunConfig {
  datasetId: string;
  /** With initialisation 'checkpoint': which backbone of the IndexedDB cache (CheckpointInfo.id). */
  checkpointId?: string;
  method: Method;
  preset: VitPresetName;
  lora: LoraConfig;
  initialisation: Initialisation;
  optimizer: OptimizerName;
  /** Base learning rate; the effective peak lr is baseLr * batchSize / 256 (the MAE rule) when scaleLrByBatch. */
  baseLr: number;
  scaleLrByBatch: boolean;
  minLr: number;
  momentum: number;
  weightDecay: number;
  /** Layer-wise lr decay (AdamW recipe); 1 disables it. */
  layerDecay: number;
  warmupSteps: number;
  totalSteps: number;
  batchSize: number;
  evalEvery: number;
  /** Evaluation uses at most this many validation images (fixed, so every evaluation is comparable). */
  evalMaxImages: number;
  dropPath: number;
  augment: boolean;
  seed: number;
}

export interface StepRecord {
  step: number;
  loss: number;
  lr: number;
  /** wall-clock ms of the step (data wait included) */
  ms: number;
}

export interface EvaluationRecord {
  step: number;
  split: Split;
  loss: number;
  /** label -> AUROC, null where the evaluated set has only one class for that label */
  auroc: Record<string, number | null>;
  macroAuroc: number | null;
  images: number;
}

export interface RunEvent {
  step: number;
  kind: 'lora_rank' | 'lora_alpha' | 'pause' | 'resume' | 'stop' | 'eval_every';
  from: number | string | null;
  to: number | string | null;
  /** Loss on the fixed probe batch (eval mode) right before and right after a LoRA change. */
  probeLossBefore?: number;
  probeLossAfter?: number;
}

/** A LoRA slider move applied to the running training (either or both). */
export interface LoraChange {
  r?: number;
  lora_alpha?: number;
}

export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped' | 'finished' | 'error';

export type TrainerMessage =
  | { type: 'steps'; steps: StepRecord[] }
  | { type: 'evaluation'; evaluation: EvaluationRecord }
  | { type: 'event'; event: RunEvent }
  | { type: 'params'; params: ParamCount; r: number; lora_alpha: number }
  | { type: 'state'; state: RunState; message?: string; step: number; totalSteps: number; etaSec?: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/** The JSON saved by "Download metrics" (documented in README). */
export interface MetricsLog {
  /** microBatch: images per gradient pass (gradients are accumulated over ceil(batchSize / microBatch) passes; the last may hold fewer). */
  config: RunConfig & { backend: BackendName; initialisationNote: string; microBatch: number };
  labels: string[];
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  events: RunEvent[];
  params: ParamCount;
  startedAt: string;
}
