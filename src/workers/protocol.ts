/**
 * The one typed contract between the UI (main thread) and the workers. The UI reaches the workers only
 * through `LabBridge` (src/ui/bridge.ts implements it with Comlink); workers implement the Api types.
 * Plain data only: everything here must survive structured clone.
 */
import type { LoraConfig, Method, VitPresetName } from '../model/config';
import type { DatasetManifest, FileEntry, IngestProgress, IngestResult, Split } from '../data/types';

export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

export interface BackendReport {
  name: BackendName;
  /** Why this backend: "forced by ?backend=wasm", "WebGPU adapter is a software fallback (SwiftShader) ...". */
  reason: string;
  /** Adapter description when WebGPU was probed. */
  adapter?: string;
  /** Backends tried before this one, with why each was not used. */
  rejected: { name: BackendName; why: string }[];
  /** Start-up gradient self-check on this backend against PyTorch values (src/train/selfCheck.ts). */
  selfCheck?: { ok: boolean; maxRelError: number; detail: string };
}

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

export interface ParamCount {
  trainable: number;
  total: number;
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

/** A backbone loaded from a user's checkpoint file and cached in IndexedDB. */
export interface CheckpointInfo {
  id: string;
  fileName: string;
  /** 'safetensors' | 'pth' */
  sourceFormat: string;
  /** Architecture inferred from the shapes (patch size, width, depth, heads, input size). */
  arch: { imgSize: number; patchSize: number; embedDim: number; depth: number; numHeads: number };
  loaded: string[];
  ignored: string[];
  missing: string[];
  newlyInitialised: string[];
  notes: string[];
}

export interface CheckpointProgress {
  tensorsDone: number;
  tensorsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current: string;
}

/** A file for the page to save (the worker builds it, the page downloads it). */
export interface ExportedFile {
  fileName: string;
  bytes: Uint8Array;
  mime: string;
}

/** An imported PEFT adapter, waiting to initialise the next LoRA run. */
export interface ImportedAdapterInfo {
  r: number;
  lora_alpha: number;
  use_rslora: boolean;
  targets: string[];
  /** fc_norm / head weights came with it (modules_to_save) */
  withHead: boolean;
  note: string;
}

/** What the training worker exposes (Comlink). */
export interface TrainerApi {
  initBackend(requested: BackendName | null): Promise<BackendReport>;
  /** Builds the model and starts the loop; messages arrive through `onMessage` (a Comlink proxy). */
  start(config: RunConfig, onMessage: (m: TrainerMessage) => void): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Applies at the next step of the running training. */
  setLora(change: { r?: number; lora_alpha?: number }): Promise<ParamCount>;
  setEvalEvery(n: number): Promise<void>;
  metrics(): Promise<MetricsLog | null>;
  /** Parameter count for a config without building tensors (for the UI before training starts). */
  countParams(preset: VitPresetName, numClasses: number, method: Method, lora: LoraConfig): Promise<ParamCount>;
  /** Reads a .safetensors / .pth ViT checkpoint tensor by tensor into the IndexedDB model cache. */
  loadCheckpoint(file: Blob & { name?: string }, onProgress: (p: CheckpointProgress) => void): Promise<CheckpointInfo>;
  /** Checkpoints cached earlier (a reload does not ask for the file again). */
  listCheckpoints(): Promise<CheckpointInfo[]>;
  /** The current run's adapter in HF PEFT format, as a .zip (adapter_config.json + adapter_model.safetensors). */
  exportAdapter(runName: string): Promise<ExportedFile>;
  /** The current run's model with the adapter merged, as timm-named safetensors. */
  exportMerged(runName: string): Promise<ExportedFile>;
  /** A PEFT adapter .zip (or its two files) to start the next LoRA run from. */
  importAdapter(files: { name: string; bytes: Uint8Array }[]): Promise<ImportedAdapterInfo>;
}

/** What the UI holds: trainer + ingest + stored datasets. */
export interface LabBridge {
  trainer: TrainerApi;
  ingest(files: FileEntry[], name: string, onProgress: (p: IngestProgress) => void, signal: AbortSignal): Promise<IngestResult>;
  listDatasets(): Promise<DatasetManifest[]>;
  deleteDataset(id: string): Promise<void>;
}
