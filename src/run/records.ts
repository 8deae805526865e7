/**
 * The records of one training run: its config, the step / evaluation / event records it produces, the messages
 * the running session sends, and the metrics file ("Download metrics", documented in the README). Plain data
 * (structured-clone safe), shared by the training loop, the application layer, the workers and the page.
 */
import type { VitPresetName } from './vitConfig';
import type { ParamCount } from './paramCount';
import type { BackendName, BackendReport } from './backends';
import type { Split } from './datasets';
import type { Method, LoraConfig } from './loraConfig';
import type { RunSummary } from './runs';
import type { GridStatus } from './grid';

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
  /**
   * Share of the stored training images this run trains on, in (0, 1] (the study's label fractions); default 1.
   * The subset is nested and fixed for a dataset (data/splits.ts selectFraction with seed 0), as the study's fixed
   * train_1 / train_10 lists are: seeds vary the initialisation and data order, not which images are labelled.
   */
  trainFraction?: number;
  /** Steps between resume checkpoints; default: every evaluation (evalEvery). */
  checkpointEvery?: number;
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
  /** step: one step run by "Step" while paused (recorded at the step it started from). */
  kind: 'lora_rank' | 'lora_alpha' | 'pause' | 'resume' | 'stop' | 'eval_every' | 'base_lr' | 'step';
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

/** 'scoring': the steps are done and the best checkpoint is being scored on the test split (then 'finished'). */
export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'scoring' | 'stopped' | 'finished' | 'error';

export type TrainerMessage =
  | { type: 'steps'; steps: StepRecord[] }
  | { type: 'evaluation'; evaluation: EvaluationRecord }
  | { type: 'event'; event: RunEvent }
  | { type: 'params'; params: ParamCount; r: number; lora_alpha: number }
  | { type: 'state'; state: RunState; message?: string; step: number; totalSteps: number; etaSec?: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'resources'; resources: ResourceSample }
  | { type: 'test'; test: TestScore }
  /** A run started or resumed: its stored identity (messages that follow belong to it). */
  | { type: 'run'; run: RunSummary; resumedFrom?: number }
  | { type: 'grid'; grid: GridProgress }
  /** The backend changed while the page was open (e.g. WebGPU lost its device and training moved to WASM). */
  | { type: 'backend'; report: BackendReport };

/** Where a running grid stands (the grid panel's progress line). */
export interface GridProgress {
  id: string;
  name: string;
  /** 0-based index of the cell running now; total once all are done. */
  index: number;
  total: number;
  status: GridStatus;
  runId: string | null;
  message?: string;
  /** Seconds left for the whole grid, from the cells done so far and the running one's ETA. */
  etaSec?: number;
}

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
  /** The best-validation checkpoint scored on the whole test split (set when the run finished). */
  test?: TestScore;
  /** The latest resource figures (parameter / memory / throughput panel). */
  resources?: ResourceSample;
  /** "Not for medical use" (src/run/notice.ts), written first in the file. */
  notice: string;
}

/**
 * The study's score of a run: the checkpoint with the best validation macro AUROC, adapter merged into the weights,
 * evaluated on the whole test split; with calibration (ECE, 15 bins) and a bootstrap interval of the macro AUROC.
 */
export interface TestScore {
  /** Step of the best-validation checkpoint that was scored. */
  step: number;
  images: number;
  loss: number;
  auroc: Record<string, number | null>;
  macroAuroc: number | null;
  /** Expected calibration error per label (null: no unmasked entries), and its mean. */
  ece: Record<string, number | null>;
  meanEce: number | null;
  /** 95 % percentile interval of the macro AUROC over 1,000 seeded bootstrap resamples of the test images. */
  macroAurocCi: { lo: number | null; hi: number | null; median: number | null; resamples: number };
}

/** What the run costs while it trains, sampled a few times a second. */
export interface ResourceSample {
  step: number;
  params: ParamCount;
  optimizerStateBytes: number;
  /** tf.memory(): tensors alive and the bytes they hold. */
  numTensors: number;
  tensorBytes: number;
  /** Bytes the backend has allocated (WebGPU: buffers in use plus its free pool; elsewhere the tensors' bytes). */
  backendBytes: number;
  msPerStep: number;
  imagesPerSec: number;
  /** Share of the step time spent waiting for the next batch from IndexedDB. */
  dataWaitShare: number;
  microBatch: number;
}
