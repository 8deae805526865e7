/**
 * The trainer as the page uses it: choose the backend; start, pause, resume and stop runs (each kept in IndexedDB
 * as it trains and resumable after a reload); steer LoRA live; run experiment grids; and move models in and out
 * (checkpoints, adapters, merged exports). One instance lives in the training worker (src/workers/trainer.worker.ts
 * exposes it over Comlink); tests drive it directly.
 */
import type { BackendName, BackendReport } from '../run/backends';
import { expandGrid, gridSpecProblems, type GridRecord, type GridSpec } from '../run/grid';
import type { CheckpointInfo, CheckpointProgress, ExportedFile, ImportedAdapterInfo } from '../run/modelFiles';
import { countParams } from '../run/paramCount';
import type { LoraChange, MetricsLog, RunConfig, TrainerMessage } from '../run/records';
import { runName } from '../run/runName';
import { isResumable, type RunSummary } from '../run/runs';
import { getManifest } from '../storage/datasets';
import { appendMetrics, getGrid, listGrids, loadCheckpoint, putRun, truncateMetrics } from '../storage/runs';
import type { VitModel } from '../model/vit';
import * as tf from '@tensorflow/tfjs';
import type { PredictionSplit, RunPredictions } from '../run/predictions';
import type { ImagePixels, SaliencyRequest, SaliencyResult } from '../run/saliencyRequest';
import { explainImage, readImages, storedPredictions, type LiveModel } from './explain';
import { StoredModelCache } from './storedModelCache';
import { withTransfer } from './transfer';
import { chooseBackend } from './backend';
import { forgetDevice, loseDeviceForTest, watchDevice } from './deviceLoss';
import { simulateQuota } from '../storage/simulatedQuota';
import { releaseFreeGpuBuffers } from '../backends/webgpuPool';
import { exportGridForPytorch, exportRunForPytorch, importPytorchResults } from './pytorchRuns';
import { checkImage, type CheckModel, type ImageCheck } from './checkImage';
import { buildRun, type PendingAdapter } from './buildRun';
import { GridRunner, gridProblemLines } from './gridRunner';
import { LiveRun } from './liveRun';
import { gridLockName, heldLocks } from './locks';
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
import { deleteStoredRun, exportStoredAdapter, exportStoredMerged, listStoredRuns, requireRun, storageUse, storedMetricsLog } from './runLibrary';
import type { AdapterSpectrum, SampleImage } from '../run/teaching';
import { adapterSpectrum, sampleImage } from './teaching';

/** How a new run starts. */
export interface StartOptions {
  /** Start paused before step 1 (a lesson walks through it with step()). */
  paused?: boolean;
}

/** What the page may call (all plain data; callbacks arrive as Comlink proxies in the worker). */
export interface TrainerApi {
  initBackend(requested: BackendName | null): Promise<BackendReport>;
  /** Builds the model and starts a new run (kept in storage as it trains); messages arrive through `onMessage`. */
  start(config: RunConfig, onMessage: (m: TrainerMessage) => void, options?: StartOptions): Promise<RunSummary>;
  /**
   * Continues a stored run from its last checkpoint (at most one checkpoint interval is redone). `overrides` change
   * the run's learning rate from there on (after a non-finite loss); the change is recorded as an event.
   */
  resumeRun(runId: string, onMessage: (m: TrainerMessage) => void, overrides?: ResumeOverrides): Promise<RunSummary>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the running run (and the grid it belongs to). */
  stop(): Promise<void>;
  /** Applies at the next step of the running training; the new count arrives as one `params` message. */
  setLora(change: LoraChange): Promise<void>;
  setEvalEvery(n: number): Promise<void>;
  /** The running (or last) run's metrics file. */
  metrics(): Promise<MetricsLog | null>;
  listRuns(): Promise<RunSummary[]>;
  /** A stored run's metrics file. */
  runMetrics(runId: string): Promise<MetricsLog>;
  deleteRun(runId: string): Promise<void>;
  /** A stored run's best checkpoint as a PEFT adapter .zip / as a merged timm-named model. */
  exportRunAdapter(runId: string): Promise<ExportedFile>;
  exportRunMerged(runId: string): Promise<ExportedFile>;
  storageUse(): Promise<{ usage: number | null; quota: number | null; checkpointBytes: number }>;
  /** Queues the grid's runs one after another; refuses a grid with cells that cannot run (every reason listed). */
  startGrid(spec: GridSpec, onMessage: (m: TrainerMessage) => void): Promise<GridRecord>;
  /** Continues a stored grid that was interrupted (its current run from its checkpoint, then the rest). */
  resumeGrid(gridId: string, onMessage: (m: TrainerMessage) => void): Promise<GridRecord>;
  cancelGrid(): Promise<void>;
  listGrids(): Promise<GridRecord[]>;
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
  /**
   * Test hooks for the fault e2e tests (the page exposes them only with `?fault-hooks`): 'device-lost' destroys the
   * WebGPU device; 'worker-crash' asks the WASM heap for more than it can ever hold, outside any catch, as an
   * out-of-memory failure would.
   */
  injectFault(kind: 'device-lost' | 'worker-crash' | 'storage-full', bytes?: number | null): Promise<boolean>;
  /** A stored run / grid as a PyTorch experiment (train.py, configs, the split lists it used), zipped. */
  exportRunForPytorch(runId: string): Promise<ExportedFile>;
  exportGridForPytorch(gridId: string): Promise<ExportedFile>;
  /** An exported script's output (metrics.json, adapter/) kept as a finished run marked "PyTorch (external)". */
  importRunResults(files: { name: string; bytes: Uint8Array }[]): Promise<RunSummary>;
  /** Runs exactly one training step of the paused run and stays paused; resolves once the step is recorded. */
  step(): Promise<void>;
  /** The dataset's first training image at the model's input size (the "what a ViT sees" drawing); null if none. */
  sampleImage(datasetId: string, imgSize: number, augment: boolean): Promise<SampleImage | null>;
  /** Singular values of B A of one adapted matrix of the current run's model (default: the first); null without one. */
  adapterSpectrum(site?: string): Promise<AdapterSpectrum | null>;
  /**
   * A run's per-image scores: its latest validation pass ('val', the live run's from memory) or its test scoring
   * ('test'); null when the run has none (yet).
   */
  predictions(runId: string, split: PredictionSplit): Promise<RunPredictions | null>;
  /** Stored 8-bit images by key, in the order asked (their pixels are transferred, not copied). */
  images(datasetId: string, keys: string[]): Promise<ImagePixels[]>;
  /** A saliency map of one stored image for one label, by the live run's model or a stored run's best checkpoint. */
  saliency(request: SaliencyRequest): Promise<SaliencyResult>;
  /**
   * One image the user opens, decoded as an ingest would, screened by the out-of-distribution guard, and (unless it
   * is flagged and `force` is false) given to the run's model: its probabilities per label.
   */
  checkImage(file: Blob & { name?: string }, runId: string, force: boolean): Promise<ImageCheck>;
}

/** What a resume may change. */
export interface ResumeOverrides {
  baseLr?: number;
}

export class TrainerService implements TrainerApi {
  private choosing: Promise<BackendReport> | null = null;
  /** The running run, or the last one: its model stays alive after it ends, for export. */
  private live: LiveRun | null = null;
  private grid: GridRunner | null = null;
  private pendingAdapter: PendingAdapter | null = null;
  /** Stored runs' models built for saliency, kept for the next request (freed when a run starts). */
  private readonly storedModels = new StoredModelCache();

  /** Every call that touches tfjs waits for the backend choice (the page may call before initBackend resolved). */
  private ensureBackend(requested: BackendName | null = null): Promise<BackendReport> {
    this.choosing ??= chooseBackend(requested).then((report) => {
      watchDevice();
      return report;
    });
    return this.choosing;
  }

  /**
   * After the WebGPU device was lost: a fresh backend (WASM: a device that was lost once may be lost again, and
   * WASM is always there), then the run continues from its last checkpoint on it.
   */
  private async recoverFromDeviceLoss(live: LiveRun, onMessage: (m: TrainerMessage) => void): Promise<void> {
    await this.replaceLostBackend(live, onMessage);
    if (live.summary.resumeStep === null) {
      onMessage({ type: 'log', level: 'warn', message: `"${live.summary.name}" had no checkpoint yet: start it again.` });
      return;
    }
    await this.launchResume(live.runId, onMessage);
  }

  async initBackend(requested: BackendName | null): Promise<BackendReport> {
    return this.ensureBackend(requested);
  }

  /** Ends the current run (stopped: it stays resumable) and frees its model and optimizer. */
  private async stopCurrent(): Promise<void> {
    const live = this.live;
    this.live = null;
    if (!live) return;
    live.session.stop();
    await live.done;
    live.dispose();
    // The next run (another method, rank or size) allocates its own buffers: return the last run's to the device.
    releaseFreeGpuBuffers();
  }

  private async launchNew(config: RunConfig, onMessage: (m: TrainerMessage) => void, gridId?: string, startPaused = false): Promise<LiveRun> {
    const chosen = await this.ensureBackend();
    await this.stopCurrent();
    onMessage({ type: 'state', state: 'starting', step: 0, totalSteps: config.totalSteps });
    const adapter = config.method === 'lora' && !gridId ? this.pendingAdapter : null;
    const built = await buildRun(config, { pendingAdapter: adapter });
    // An imported adapter initialises one run; the next run starts fresh from the sliders again.
    if (adapter) this.pendingAdapter = null;
    const now = new Date();
    const summary: RunSummary = {
      id: `${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      name: runName(built.manifest.name, config.method, now),
      source: 'browser',
      datasetId: config.datasetId,
      datasetName: built.manifest.name,
      labels: built.manifest.labels,
      config,
      initialisationNote: built.initialisationNote,
      status: 'running',
      step: 0,
      resumeStep: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      wallMs: 0,
      params: countParams(built.vitCfg, config.method, config.lora),
      optimizerStateBytes: 0,
      gridId,
      checkpointBytes: 0,
    };
    await putRun(summary);
    onMessage({ type: 'run', run: structuredClone(summary) });
    onMessage({ type: 'log', level: 'info', message: `Backbone: ${built.initialisationNote}` });
    return this.launch(new LiveRun({ built, summary, backend: chosen.name, nextSeq: 0, onMessage, startPaused }), onMessage);
  }

  private async launchResume(runId: string, onMessage: (m: TrainerMessage) => void, overrides: ResumeOverrides = {}): Promise<LiveRun> {
    const chosen = await this.ensureBackend();
    await requireRun(runId);
    // The status it really has: 'running' with nobody holding it means interrupted; held means training elsewhere.
    const listed = (await listStoredRuns()).find((r) => r.id === runId)!;
    if (listed.status === 'running' || listed.status === 'paused') throw new Error(`run "${listed.name}" is training right now (here or in another tab)`);
    if (!isResumable(listed)) throw new Error(`run "${listed.name}" cannot resume (${listed.status}${listed.resumeStep === null ? ', no checkpoint saved yet' : ''})`);
    await this.stopCurrent();
    const stored = await requireRun(runId);
    const checkpoint = await loadCheckpoint(runId, 'resume');
    if (!checkpoint) throw new Error(`run "${stored.name}" has no resume checkpoint`);
    onMessage({ type: 'state', state: 'starting', step: checkpoint.step, totalSteps: stored.config.totalSteps });
    const missing = await missingForResume(stored);
    if (missing) throw new Error(`run "${stored.name}" cannot resume: ${missing}`);
    const config = overrides.baseLr !== undefined ? { ...stored.config, baseLr: overrides.baseLr } : stored.config;
    if (!(config.baseLr > 0 && Number.isFinite(config.baseLr))) throw new Error(`learning rate must be above 0, got ${config.baseLr}`);
    const built = await buildRun(config, { resume: checkpoint });
    const kept = await truncateMetrics(runId, checkpoint.step);
    if (config.baseLr !== stored.config.baseLr) {
      const event = { step: checkpoint.step, kind: 'base_lr' as const, from: stored.config.baseLr, to: config.baseLr };
      kept.events.push(event);
      await appendMetrics(runId, kept.nextSeq++, { events: [event] });
    }
    const summary: RunSummary = { ...stored, config, status: 'running', message: undefined, step: checkpoint.step };
    await putRun(summary);
    onMessage({ type: 'run', run: structuredClone(summary), resumedFrom: checkpoint.step });
    onMessage({ type: 'log', level: 'info', message: `Resumed "${stored.name}" from its checkpoint of step ${checkpoint.step}.` });
    const resumeFrom = { step: checkpoint.step, evalEvery: checkpoint.evalEvery ?? stored.config.evalEvery, steps: kept.steps, evaluations: kept.evaluations, events: kept.events };
    return this.launch(new LiveRun({ built, summary, backend: chosen.name, nextSeq: kept.nextSeq, resumeFrom, onMessage }), onMessage);
  }

  /** Frees what was on the lost device and switches to a fresh backend (WASM). */
  private async replaceLostBackend(live: LiveRun, onMessage: (m: TrainerMessage) => void): Promise<void> {
    live.dispose();
    if (this.live === live) this.live = null;
    forgetDevice();
    this.choosing = chooseBackend('wasm');
    const report = await this.choosing;
    onMessage({ type: 'backend', report: { ...report, reason: `the WebGPU device was lost; ${report.reason}` } });
    onMessage({ type: 'log', level: 'info', message: `Training goes on on ${report.name} from the last checkpoint.` });
  }

  private launch(live: LiveRun, onMessage: (m: TrainerMessage) => void): LiveRun {
    this.storedModels.clear();
    this.live = live;
    void live.done.then(() => {
      if (live.deviceLost && !this.grid) void this.recoverFromDeviceLoss(live, onMessage).catch((e: unknown) => onMessage({ type: 'log', level: 'warn', message: `Could not restart the run: ${e instanceof Error ? e.message : String(e)}` }));
    });
    return live;
  }

  async exportRunForPytorch(runId: string): Promise<ExportedFile> {
    return exportRunForPytorch(runId);
  }

  async exportGridForPytorch(gridId: string): Promise<ExportedFile> {
    return exportGridForPytorch(gridId);
  }

  async importRunResults(files: { name: string; bytes: Uint8Array }[]): Promise<RunSummary> {
    await this.ensureBackend();
    return importPytorchResults(files);
  }

  async injectFault(kind: 'device-lost' | 'worker-crash' | 'storage-full', bytes: number | null = 0): Promise<boolean> {
    if (kind === 'device-lost') return loseDeviceForTest();
    if (kind === 'storage-full') {
      simulateQuota(bytes);
      return true;
    }
    // Outside any promise chain, so nothing catches it: the worker reports an uncaught error, as on a real crash.
    setTimeout(() => {
      const heap = (tf.backend() as unknown as { wasm?: { _malloc(n: number): number } }).wasm;
      if (!heap) throw new RangeError('out of memory (simulated: this backend has no WASM heap)');
      tf.zeros([2 ** 31], 'float32');
    }, 0);
    return true;
  }

  async start(config: RunConfig, onMessage: (m: TrainerMessage) => void, options: StartOptions = {}): Promise<RunSummary> {
    await this.stopAll();
    const live = await this.launchNew(config, onMessage, undefined, options.paused ?? false);
    return structuredClone(live.summary);
  }

  async resumeRun(runId: string, onMessage: (m: TrainerMessage) => void, overrides?: ResumeOverrides): Promise<RunSummary> {
    await this.stopAll();
    const live = await this.launchResume(runId, onMessage, overrides);
    return structuredClone(live.summary);
  }

  async pause(): Promise<void> {
    if (this.grid) this.grid.pause();
    else this.live?.pause();
  }

  async resume(): Promise<void> {
    if (this.grid) this.grid.resume();
    else this.live?.resume();
  }

  async stop(): Promise<void> {
    if (this.grid) {
      this.grid.cancel();
      await this.grid.done;
      return;
    }
    this.live?.session.stop();
    await this.live?.done;
  }

  async setLora(change: LoraChange): Promise<void> {
    if (!this.live) throw new Error('no training is running');
    return this.live.session.requestLoraChange(change);
  }

  async setEvalEvery(n: number): Promise<void> {
    this.live?.session.setEvalEvery(n);
  }

  async metrics(): Promise<MetricsLog | null> {
    if (!this.live) return null;
    const log = this.live.session.metrics();
    return { ...log, test: this.live.summary.test, resources: this.live.summary.resources };
  }

  listRuns(): Promise<RunSummary[]> {
    return listStoredRuns();
  }

  runMetrics(runId: string): Promise<MetricsLog> {
    return storedMetricsLog(runId);
  }

  deleteRun(runId: string): Promise<void> {
    return deleteStoredRun(runId);
  }

  async exportRunAdapter(runId: string): Promise<ExportedFile> {
    await this.ensureBackend();
    return exportStoredAdapter(runId);
  }

  async exportRunMerged(runId: string): Promise<ExportedFile> {
    await this.ensureBackend();
    return exportStoredMerged(runId);
  }

  storageUse(): Promise<{ usage: number | null; quota: number | null; checkpointBytes: number }> {
    return storageUse();
  }

  async startGrid(spec: GridSpec, onMessage: (m: TrainerMessage) => void): Promise<GridRecord> {
    const problems = gridSpecProblems(spec);
    const manifest = await getManifest(spec.datasetId);
    if (!manifest) problems.push('The chosen dataset is not in this browser\'s storage.');
    const now = new Date().toISOString();
    const grid: GridRecord = {
      id: `grid-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      spec,
      cells: expandGrid(spec),
      runIds: [],
      current: 0,
      status: 'running',
      createdAt: now,
      updatedAt: now,
    };
    grid.runIds = grid.cells.map(() => null);
    if (manifest) problems.push(...gridProblemLines(grid, manifest));
    if (problems.length > 0) throw new Error(`The grid cannot run:\n${problems.join('\n')}`);
    await this.stopAll();
    this.grid = new GridRunner(grid, this.cellLauncher(), onMessage);
    return structuredClone(grid);
  }

  async resumeGrid(gridId: string, onMessage: (m: TrainerMessage) => void): Promise<GridRecord> {
    const grid = await getGrid(gridId);
    if (!grid) throw new Error(`grid ${gridId} is not in this browser's storage`);
    if ((await heldLocks()).has(gridLockName(gridId))) throw new Error(`grid "${grid.spec.name}" is running in another tab or worker right now`);
    if (grid.status === 'finished' || grid.status === 'cancelled') throw new Error(`grid "${grid.spec.name}" is ${grid.status}`);
    await this.stopAll();
    this.grid = new GridRunner(grid, this.cellLauncher(), onMessage);
    return structuredClone(grid);
  }

  async cancelGrid(): Promise<void> {
    const grid = this.grid;
    if (!grid) return;
    grid.cancel();
    await grid.done;
  }

  async listGrids(): Promise<GridRecord[]> {
    const [grids, held] = await Promise.all([listGrids(), heldLocks()]);
    return grids.map((g) => ((g.status === 'running' || g.status === 'paused') && !held.has(gridLockName(g.id)) ? { ...g, status: 'interrupted' } : g));
  }

  private async stopAll(): Promise<void> {
    if (this.grid) {
      this.grid.cancel();
      await this.grid.done;
      this.grid = null;
    }
    await this.stopCurrent();
  }

  private cellLauncher() {
    return {
      startCell: (config: RunConfig, gridId: string, onMessage: (m: TrainerMessage) => void) => this.launchNew(config, onMessage, gridId),
      resumeCell: (runId: string, onMessage: (m: TrainerMessage) => void) => this.launchResume(runId, onMessage),
      replaceLostBackend: (live: LiveRun, onMessage: (m: TrainerMessage) => void) => this.replaceLostBackend(live, onMessage),
    };
  }

  async loadCheckpoint(file: Blob & { name?: string }, onProgress: (p: CheckpointProgress) => void): Promise<CheckpointInfo> {
    await this.ensureBackend();
    return loadCheckpointIntoCache(file, onProgress);
  }

  async listCheckpoints(): Promise<CheckpointInfo[]> {
    return listCheckpointInfos();
  }

  private requireModel(): { model: VitModel; run: RunSummary } {
    if (!this.live) throw new Error('train (or at least start) a run first: there is no model to export yet');
    return { model: this.live.model, run: this.live.summary };
  }

  async exportAdapter(name: string): Promise<ExportedFile> {
    const { model, run } = this.requireModel();
    if (!model.lora) throw new Error('this run has no LoRA adapter (method is not LoRA)');
    return exportAdapterFile(model, name, `cxr-peft-lab/${run.config.initialisation}/${run.config.preset}`);
  }

  async exportMerged(name: string): Promise<ExportedFile> {
    const { model, run } = this.requireModel();
    return exportMergedFile(model, name, {
      method: run.config.method,
      labels: JSON.stringify(run.labels),
      dataset: run.datasetName,
      initialisation: run.config.initialisation,
    });
  }

  async importAdapter(files: { name: string; bytes: Uint8Array }[]): Promise<ImportedAdapterInfo> {
    await this.ensureBackend();
    const { configJson, safetensors } = adapterFiles(files);
    const cfg = this.live?.model.cfg ?? (await adapterShapeConfig(safetensors));
    const imported = await importPeftAdapter(configJson, safetensors, cfg);
    this.pendingAdapter = { configJson, safetensors };
    return describeImported(imported, cfg);
  }

  async step(): Promise<void> {
    if (!this.live) throw new Error('no run to step: start one first');
    await this.live.session.stepOnce();
  }

  async sampleImage(datasetId: string, imgSize: number, augment: boolean): Promise<SampleImage | null> {
    await this.ensureBackend();
    return sampleImage(datasetId, imgSize, augment);
  }

  async adapterSpectrum(site?: string): Promise<AdapterSpectrum | null> {
    if (!this.live) return null;
    return adapterSpectrum(this.live.model, this.live.session.currentStep, site);
  }

  async predictions(runId: string, split: PredictionSplit): Promise<RunPredictions | null> {
    return this.live?.runId === runId ? this.live.predictions(split) : storedPredictions(runId, split);
  }

  async images(datasetId: string, keys: string[]): Promise<ImagePixels[]> {
    const images = await readImages(datasetId, keys);
    return withTransfer(images, images.map((im) => im.pixels));
  }

  async checkImage(file: Blob & { name?: string }, runId: string, force: boolean): Promise<ImageCheck> {
    await this.ensureBackend();
    const live = this.liveModel();
    const run = live?.runId === runId ? this.live!.summary : await requireRun(runId);
    const size = (await getManifest(run.datasetId))?.storageSize ?? 224;
    const getModel = async (): Promise<CheckModel> => {
      if (live && live.runId === runId) return { model: live.model, norm: live.norm, config: live.config, labels: run.labels, weights: live.describe() };
      const cached = await this.storedModels.get(run);
      return { model: cached.model, norm: cached.norm, config: run.config, labels: run.labels, weights: cached.from };
    };
    const result = await checkImage(file, size, getModel, force);
    return withTransfer(result, [result.pixels]);
  }

  async saliency(request: SaliencyRequest): Promise<SaliencyResult> {
    await this.ensureBackend();
    const result = await explainImage(request, this.liveModel(), this.storedModels);
    return withTransfer(result, [result.heat]);
  }

  private liveModel(): LiveModel | null {
    const live = this.live;
    if (!live) return null;
    return {
      runId: live.runId,
      model: live.model,
      norm: live.norm,
      config: live.summary.config,
      describe: () => {
        const test = live.summary.test;
        // A scored run's model holds the checkpoint it was scored with (scoreRun.ts); before that, the weights as trained so far.
        return test ? `the weights scored on the test split (step ${test.step})` : `the live run's weights at step ${live.session.currentStep}`;
      },
    };
  }
}


/** What a stored run needs to resume that is gone (its dataset, its cached checkpoint); null when nothing is. */
async function missingForResume(run: RunSummary): Promise<string | null> {
  if (!(await getManifest(run.datasetId))) return `its dataset "${run.datasetName}" was deleted from this browser: add it again (same folder, same choices) to resume`;
  if (run.config.initialisation === 'checkpoint') {
    const cached = await listCheckpointInfos();
    if (!cached.some((c) => c.id === run.config.checkpointId)) return `its backbone checkpoint (${run.config.checkpointId}) is no longer cached: load the file again to resume`;
  }
  return null;
}
