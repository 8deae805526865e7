/**
 * The training worker: owns tfjs, the model and the loop, so the page stays responsive. Exposes TrainerApi
 * through Comlink; progress goes back through the callback the page passes to start().
 */
import * as Comlink from 'comlink';
import { makeVitConfig } from '../run/vitConfig';
import { countParams } from '../run/paramCount';
import { activationBudgetBytes, chooseMicroBatch } from '../train/microBatch';
import { TrainingSession } from '../train/session';
import { chooseBackend } from '../lab/backend';
import { buildRun, type PendingAdapter } from '../lab/buildRun';
import {
  adapterFiles,
  adapterShapeConfig,
  describeImported,
  exportAdapterFile,
  exportMergedFile,
  importPeftAdapter,
  listCheckpointInfos,
  loadCheckpointIntoCache,
} from '../lab/modelFiles';
import type { TrainerApi } from './protocol';
import type { VitModel } from '../model/vit';
import type { BackendName, BackendReport } from '../run/backends';
import type { RunConfig, TrainerMessage } from '../run/records';
let choosing: Promise<BackendReport> | null = null;

/** Every call that touches tfjs waits for the backend choice (the page may call before initBackend resolved). */
function ensureBackend(requested: BackendName | null = null): Promise<BackendReport> {
  choosing ??= chooseBackend(requested);
  return choosing;
}
let session: TrainingSession | null = null;
let running: Promise<void> | null = null;
let disposeRun: (() => void) | null = null;
/** The last run's model stays alive after it ends, for export. */
let lastRun: { model: VitModel; config: RunConfig; labels: string[]; datasetName: string } | null = null;
let pendingAdapter: PendingAdapter | null = null;

function requireModel(): NonNullable<typeof lastRun> {
  if (!lastRun) throw new Error('train (or at least start) a run first: there is no model to export yet');
  return lastRun;
}

async function stopCurrent(): Promise<void> {
  session?.stop();
  await running?.catch(() => undefined);
  disposeRun?.();
  disposeRun = null;
  session = null;
  running = null;
  lastRun = null;
}

const api: TrainerApi = {
  async initBackend(requested) {
    return ensureBackend(requested);
  },

  async start(config, onMessage) {
    const chosen = await ensureBackend();
    await stopCurrent();
    const emit = (m: TrainerMessage) => onMessage(m);
    emit({ type: 'state', state: 'starting', step: 0, totalSteps: config.totalSteps });
    const adapter = config.method === 'lora' ? pendingAdapter : null;
    const built = await buildRun(config, adapter);
    // An imported adapter initialises one run; the next run starts fresh from the sliders again.
    if (adapter) pendingAdapter = null;
    lastRun = { model: built.model, config, labels: built.manifest.labels, datasetName: built.manifest.name };
    emit({ type: 'log', level: 'info', message: `Backbone: ${built.initialisationNote}` });
    const microBatch = chooseMicroBatch(built.vitCfg, config.batchSize, activationBudgetBytes(chosen.name, built.vitCfg), config.method);
    if (microBatch < config.batchSize) {
      emit({
        type: 'log',
        level: 'info',
        message: `Gradients are accumulated over ${Math.ceil(config.batchSize / microBatch)} passes of at most ${microBatch} images: a whole batch of ${config.batchSize} at ${built.vitCfg.imgSize} px would not fit the ${chosen.name} backend's memory.`,
      });
    }
    const s = new TrainingSession({
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
    session = s;
    disposeRun = () => {
      built.model.dispose();
      built.optimizer.dispose();
    };
    running = s.run().catch((err) => {
      emit({ type: 'log', level: 'warn', message: `Training stopped with an error: ${err instanceof Error ? err.message : String(err)}` });
    });
  },

  async pause() {
    session?.pause();
  },

  async resume() {
    session?.resume();
  },

  async stop() {
    session?.stop();
    await running;
  },

  async setLora(change) {
    if (!session) throw new Error('no training is running');
    return session.requestLoraChange(change);
  },

  async setEvalEvery(n) {
    session?.setEvalEvery(n);
  },

  async metrics() {
    return session ? session.metrics() : null;
  },

  async countParams(preset, numClasses, method, lora) {
    return countParams(makeVitConfig(preset, numClasses), method, lora);
  },

  async loadCheckpoint(file, onProgress) {
    await ensureBackend();
    return loadCheckpointIntoCache(file, onProgress);
  },

  async listCheckpoints() {
    return listCheckpointInfos();
  },

  async exportAdapter(runName) {
    const run = requireModel();
    if (!run.model.lora) throw new Error('this run has no LoRA adapter (method is not LoRA)');
    return exportAdapterFile(run.model, runName, `cxr-peft-lab/${run.config.initialisation}/${run.config.preset}`);
  },

  async exportMerged(runName) {
    const run = requireModel();
    return exportMergedFile(run.model, runName, {
      method: run.config.method,
      labels: JSON.stringify(run.labels),
      dataset: run.datasetName,
      initialisation: run.config.initialisation,
    });
  },

  async importAdapter(files) {
    await ensureBackend();
    const { configJson, safetensors } = adapterFiles(files);
    const cfg = lastRun?.model.cfg ?? (await adapterShapeConfig(safetensors));
    const imported = await importPeftAdapter(configJson, safetensors, cfg);
    pendingAdapter = { configJson, safetensors };
    return describeImported(imported, cfg);
  },
};

Comlink.expose(api);
