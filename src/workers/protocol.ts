/**
 * The one typed contract between the UI (main thread) and the workers. The UI reaches the workers only
 * through `LabBridge` (src/ui/bridge.ts implements it with Comlink); workers implement the Api types.
 * Plain data only: everything here must survive structured clone.
 */
import type { VitPresetName } from '../run/vitConfig';
import type { LoraConfig, Method } from '../run/loraConfig';
import type { DatasetManifest, FileEntry, IngestProgress, IngestResult } from '../run/datasets';
import type { ParamCount } from '../run/paramCount';
import type { BackendName, BackendReport } from '../run/backends';
import type { CheckpointProgress, CheckpointInfo, ExportedFile, ImportedAdapterInfo } from '../run/modelFiles';
import type { RunConfig, TrainerMessage, MetricsLog } from '../run/records';

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
