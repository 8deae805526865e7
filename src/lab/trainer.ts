/**
 * The trainer as the page uses it: choose the backend, start / pause / resume / stop a run, steer LoRA live, and
 * move models in and out (checkpoints, adapters, merged exports). One instance lives in the training worker
 * (src/workers/trainer.worker.ts exposes it over Comlink); tests drive it directly.
 */
import type { BackendName, BackendReport } from '../run/backends';
import type { CheckpointInfo, CheckpointProgress, ExportedFile, ImportedAdapterInfo } from '../run/modelFiles';
import type { LoraChange, MetricsLog, RunConfig, TrainerMessage } from '../run/records';
import { activationBudgetBytes, chooseMicroBatch } from '../train/microBatch';
import { TrainingSession } from '../train/session';
import type { VitModel } from '../model/vit';
import { chooseBackend } from './backend';
import { buildRun, type PendingAdapter } from './buildRun';
import {
  adapterFiles,
  adapterShapeConfig,
  describeImported,
  exportAdapterFile,
  exportMergedFile,
  importPeftAdapter,
  listCheckpointInfos,
  loadCheckpointIntoCache,
} from './modelFiles';

/** What the page may call (all plain data; callbacks arrive as Comlink proxies in the worker). */
export interface TrainerApi {
  initBackend(requested: BackendName | null): Promise<BackendReport>;
  /** Builds the model and starts the loop; messages arrive through `onMessage`. */
  start(config: RunConfig, onMessage: (m: TrainerMessage) => void): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Applies at the next step of the running training; the new count arrives as one `params` message. */
  setLora(change: LoraChange): Promise<void>;
  setEvalEvery(n: number): Promise<void>;
  metrics(): Promise<MetricsLog | null>;
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

interface LiveRun {
  session: TrainingSession;
  running: Promise<void>;
  dispose: () => void;
}

/** The last run's model stays alive after it ends, for export. */
interface FinishedModel {
  model: VitModel;
  config: RunConfig;
  labels: string[];
  datasetName: string;
}

export class TrainerService implements TrainerApi {
  private choosing: Promise<BackendReport> | null = null;
  private live: LiveRun | null = null;
  private lastModel: FinishedModel | null = null;
  private pendingAdapter: PendingAdapter | null = null;

  /** Every call that touches tfjs waits for the backend choice (the page may call before initBackend resolved). */
  private ensureBackend(requested: BackendName | null = null): Promise<BackendReport> {
    this.choosing ??= chooseBackend(requested);
    return this.choosing;
  }

  async initBackend(requested: BackendName | null): Promise<BackendReport> {
    return this.ensureBackend(requested);
  }

  private async stopCurrent(): Promise<void> {
    const live = this.live;
    this.live = null;
    this.lastModel = null;
    if (!live) return;
    live.session.stop();
    await live.running.catch(() => undefined);
    live.dispose();
  }

  async start(config: RunConfig, onMessage: (m: TrainerMessage) => void): Promise<void> {
    const chosen = await this.ensureBackend();
    await this.stopCurrent();
    const emit = (m: TrainerMessage) => onMessage(m);
    emit({ type: 'state', state: 'starting', step: 0, totalSteps: config.totalSteps });
    const adapter = config.method === 'lora' ? this.pendingAdapter : null;
    const built = await buildRun(config, adapter);
    // An imported adapter initialises one run; the next run starts fresh from the sliders again.
    if (adapter) this.pendingAdapter = null;
    this.lastModel = { model: built.model, config, labels: built.manifest.labels, datasetName: built.manifest.name };
    emit({ type: 'log', level: 'info', message: `Backbone: ${built.initialisationNote}` });
    const microBatch = chooseMicroBatch(built.vitCfg, config.batchSize, activationBudgetBytes(chosen.name, built.vitCfg), config.method);
    if (microBatch < config.batchSize) {
      emit({
        type: 'log',
        level: 'info',
        message: `Gradients are accumulated over ${Math.ceil(config.batchSize / microBatch)} passes of at most ${microBatch} images: a whole batch of ${config.batchSize} at ${built.vitCfg.imgSize} px would not fit the ${chosen.name} backend's memory.`,
      });
    }
    const session = new TrainingSession({
      microBatch,
      config,
      labels: built.manifest.labels,
      model: built.model,
      optimizer: built.optimizer,
      train: built.train,
      val: built.val,
      emit,
      norm: built.norm,
      metricsHeader: { ...config, backend: chosen.name, initialisationNote: built.initialisationNote, microBatch },
    });
    const running = session.run().catch((err) => {
      emit({ type: 'log', level: 'warn', message: `Training stopped with an error: ${err instanceof Error ? err.message : String(err)}` });
    });
    this.live = {
      session,
      running,
      dispose: () => {
        built.model.dispose();
        built.optimizer.dispose();
      },
    };
  }

  async pause(): Promise<void> {
    this.live?.session.pause();
  }

  async resume(): Promise<void> {
    this.live?.session.resume();
  }

  async stop(): Promise<void> {
    this.live?.session.stop();
    await this.live?.running;
  }

  async setLora(change: LoraChange): Promise<void> {
    if (!this.live) throw new Error('no training is running');
    return this.live.session.requestLoraChange(change);
  }

  async setEvalEvery(n: number): Promise<void> {
    this.live?.session.setEvalEvery(n);
  }

  async metrics(): Promise<MetricsLog | null> {
    return this.live ? this.live.session.metrics() : null;
  }

  async loadCheckpoint(file: Blob & { name?: string }, onProgress: (p: CheckpointProgress) => void): Promise<CheckpointInfo> {
    await this.ensureBackend();
    return loadCheckpointIntoCache(file, onProgress);
  }

  async listCheckpoints(): Promise<CheckpointInfo[]> {
    return listCheckpointInfos();
  }

  private requireModel(): FinishedModel {
    if (!this.lastModel) throw new Error('train (or at least start) a run first: there is no model to export yet');
    return this.lastModel;
  }

  async exportAdapter(runName: string): Promise<ExportedFile> {
    const run = this.requireModel();
    if (!run.model.lora) throw new Error('this run has no LoRA adapter (method is not LoRA)');
    return exportAdapterFile(run.model, runName, `cxr-peft-lab/${run.config.initialisation}/${run.config.preset}`);
  }

  async exportMerged(runName: string): Promise<ExportedFile> {
    const run = this.requireModel();
    return exportMergedFile(run.model, runName, {
      method: run.config.method,
      labels: JSON.stringify(run.labels),
      dataset: run.datasetName,
      initialisation: run.config.initialisation,
    });
  }

  async importAdapter(files: { name: string; bytes: Uint8Array }[]): Promise<ImportedAdapterInfo> {
    await this.ensureBackend();
    const { configJson, safetensors } = adapterFiles(files);
    const cfg = this.lastModel?.model.cfg ?? (await adapterShapeConfig(safetensors));
    const imported = await importPeftAdapter(configJson, safetensors, cfg);
    this.pendingAdapter = { configJson, safetensors };
    return describeImported(imported, cfg);
  }
}
