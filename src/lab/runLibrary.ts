/**
 * The stored runs as the Runs panel uses them: listed with the status they really have (a run no trainer holds any
 * more was interrupted), their metrics file, their best model exported as an adapter or a merged model, deleted.
 * A stored run needs neither its dataset nor a live model for any of this: its metrics are in IndexedDB, and its
 * model is its backbone plus its checkpoint (exports say so when the backbone is gone).
 */
import type { ExportedFile } from '../run/modelFiles';
import { NOT_FOR_MEDICAL_USE } from '../run/notice';
import type { MetricsLog } from '../run/records';
import { effectiveStatus, type RunSummary } from '../run/runs';
import { deleteRun, getRun, listRuns, loadCheckpoint, readMetrics } from '../storage/runs';
import { restoreCheckpoint } from '../train/sessionState';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { heldLocks, runLockName } from './locks';
import { loadInitialWeights } from './initialWeights';
import { exportAdapterFile, exportMergedFile } from './modelFiles';

export async function listStoredRuns(): Promise<RunSummary[]> {
  const [runs, held] = await Promise.all([listRuns(), heldLocks()]);
  return runs.map((r) => ({ ...r, status: effectiveStatus(r, held.has(runLockName(r.id))) }));
}

export async function requireRun(runId: string): Promise<RunSummary> {
  const run = await getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in this browser's storage (it was deleted)`);
  return run;
}

/** The run's metrics file (README "Download metrics"), from storage. */
export async function storedMetricsLog(runId: string): Promise<MetricsLog> {
  const run = await requireRun(runId);
  const metrics = await readMetrics(runId);
  return {
    notice: NOT_FOR_MEDICAL_USE,
    config: { ...run.config, backend: run.backend ?? 'cpu', initialisationNote: run.initialisationNote ?? '', microBatch: run.microBatch ?? run.config.batchSize },
    labels: run.labels,
    steps: metrics.steps,
    evaluations: metrics.evaluations,
    events: metrics.events,
    params: run.params,
    startedAt: run.createdAt,
    test: run.test,
    resources: run.resources,
  };
}

export async function deleteStoredRun(runId: string): Promise<void> {
  const held = await heldLocks();
  if (held.has(runLockName(runId))) throw new Error('this run is training now: stop it first');
  await deleteRun(runId);
}

/**
 * The run's model as it was scored: its backbone (loaded again: pretrained demo, a cached checkpoint or the seeded
 * random weights), with its best-validation checkpoint (or its last resume checkpoint) put in, and the input
 * normalisation of that backbone. Caller disposes.
 */
export async function storedModel(run: RunSummary): Promise<{ model: VitModel; from: string; norm: { mean: number; std: number } }> {
  const checkpoint = (await loadCheckpoint(run.id, 'best')) ?? (await loadCheckpoint(run.id, 'resume'));
  if (!checkpoint) throw new Error(`run "${run.name}" has no stored checkpoint yet: there is no model to export`);
  const weights = await loadInitialWeights(run.config, run.labels.length);
  const model = new VitModel(weights.cfg, weights.params);
  if (run.config.method === 'lora') model.lora = LoraAdapter.create(weights.cfg, run.config.lora, run.config.seed);
  restoreCheckpoint(model, checkpoint, run.config.lora);
  return { model, from: `${checkpoint.kind === 'best' ? 'best-validation' : 'last'} checkpoint, step ${checkpoint.step}`, norm: weights.norm };
}

export async function exportStoredAdapter(runId: string): Promise<ExportedFile> {
  const run = await requireRun(runId);
  if (run.config.method !== 'lora') throw new Error('this run has no LoRA adapter (method is not LoRA)');
  const { model } = await storedModel(run);
  try {
    return await exportAdapterFile(model, run.name, `cxr-peft-lab/${run.config.initialisation}/${run.config.preset}`);
  } finally {
    model.dispose();
  }
}

export async function exportStoredMerged(runId: string): Promise<ExportedFile> {
  const run = await requireRun(runId);
  const { model, from } = await storedModel(run);
  try {
    return await exportMergedFile(model, run.name, {
      method: run.config.method,
      labels: JSON.stringify(run.labels),
      dataset: run.datasetName,
      initialisation: run.config.initialisation,
      checkpoint: from,
    });
  } finally {
    model.dispose();
  }
}

/** Bytes this origin stores and may store (navigator.storage.estimate), and the runs' checkpoints' share. */
export async function storageUse(): Promise<{ usage: number | null; quota: number | null; checkpointBytes: number }> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  const runs = await listRuns();
  return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, checkpointBytes: runs.reduce((n, r) => n + r.checkpointBytes, 0) };
}
