/**
 * Issue 14 in the application layer: a stored run or grid exported as a PyTorch experiment (src/io/pytorch: train.py
 * + configs + the exact split lists the lab used), and the results of such a script imported back as a run marked
 * "PyTorch (external)" — its metrics in the runs store, its PEFT adapter as the run's best checkpoint — so it stands
 * in the Runs list and the grid table beside the browser runs, and its model can be exported or explained like theirs.
 */
import { selectFraction } from '../data/splits';
import { adapterShapeConfig } from './modelFiles';
import { DEMO_BACKBONE } from '../io/demoBackbone';
import { importPeftAdapter } from '../io/peft';
import { buildPytorchExport, zipPytorchExport, type PytorchExportRun, type RunSplits } from '../io/pytorch/exportExperiment';
import type { DatasetManifest, Split } from '../run/datasets';
import type { GridRecord } from '../run/grid';
import { fractionLabel } from '../run/grid';
import { countParams } from '../run/paramCount';
import type { ExportedFile } from '../run/modelFiles';
import type { MetricsLog, RunConfig } from '../run/records';
import type { RunSummary } from '../run/runs';
import { makeVitConfig, NORMALISATION, type VitConfig } from '../run/vitConfig';
import { runName } from '../run/runName';
import { getManifest, listLabels } from '../storage/datasets';
import { appendMetrics, getGrid, putRun, saveCheckpoint } from '../storage/runs';
import { isBetter } from './runRecorder';
import { listCheckpointInfos } from './modelFiles';
import { requireRun } from './runLibrary';

/** The images a run used, per split; train is the run's label-fraction subset (nested, seed 0, as BatchStream takes it). */
async function runSplits(config: RunConfig, manifest: DatasetManifest): Promise<RunSplits> {
  const read = async (split: Split) => (await listLabels(manifest.id, split)).map((r) => ({ path: r.key, labels: r.labels }));
  const [train, val, test] = await Promise.all([read('train'), read('val'), read('test')]);
  const fraction = config.trainFraction ?? 1;
  return { train: fraction < 1 ? selectFraction(train.map((r) => ({ ...r, key: r.path })), fraction, 0).map(({ path, labels }) => ({ path, labels })) : train, val, test };
}

/** The ViT a run's config builds (a cached checkpoint brings its own architecture) and its input normalisation. */
async function runModelShape(config: RunConfig, numClasses: number): Promise<{ vit: VitConfig; normalisation: { mean: number; std: number } }> {
  if (config.initialisation === 'checkpoint') {
    const info = (await listCheckpointInfos()).find((c) => c.id === config.checkpointId);
    if (info) return { vit: { ...makeVitConfig(config.preset, numClasses), ...info.arch }, normalisation: NORMALISATION.mae };
  }
  const normalisation = config.initialisation === 'pretrained-demo' ? DEMO_BACKBONE.normalisation : NORMALISATION.mae;
  return { vit: makeVitConfig(config.preset, numClasses), normalisation };
}

async function requireManifest(datasetId: string, what: string): Promise<DatasetManifest> {
  const manifest = await getManifest(datasetId);
  if (!manifest) throw new Error(`${what}'s dataset is no longer in this browser's storage: the export needs its image lists, add it again first`);
  return manifest;
}

/** The backbone file a run starts from: the demo backbone's bytes (small), or a checkpoint named for the user to supply. */
async function backboneFor(config: RunConfig, baseUrl: string): Promise<{ fileName: string; bytes?: Uint8Array; note?: string } | undefined> {
  if (config.initialisation === 'pretrained-demo') {
    const response = await fetch(`${baseUrl.replace(/\/?$/, '/')}${DEMO_BACKBONE.path}`);
    if (!response.ok) throw new Error(`could not read the demo backbone: HTTP ${response.status}`);
    return { fileName: 'demo-mae-tiny.safetensors', bytes: new Uint8Array(await response.arrayBuffer()), note: 'the lab\'s MAE-pretrained tiny ViT (docs/model-card.md)' };
  }
  if (config.initialisation === 'checkpoint') {
    const info = (await listCheckpointInfos()).find((c) => c.id === config.checkpointId);
    return { fileName: info?.fileName ?? 'backbone.pth', note: 'the checkpoint this run started from: put the file here (it is not copied into the export)' };
  }
  return undefined;
}

async function exportRuns(name: string, runs: { name: string; config: RunConfig; labels: string[] }[], manifest: DatasetManifest, baseUrl: string): Promise<ExportedFile> {
  const exported: PytorchExportRun[] = [];
  for (const run of runs) {
    const shape = await runModelShape(run.config, run.labels.length);
    exported.push({ name: run.name, config: run.config, labels: run.labels, splits: await runSplits(run.config, manifest), ...shape });
  }
  const built = buildPytorchExport({
    name,
    runs: exported,
    dataset: { name: manifest.name, layout: manifest.layout, storageSize: manifest.storageSize },
    backbone: await backboneFor(runs[0].config, baseUrl),
  });
  return { fileName: built.fileName, bytes: zipPytorchExport(built), mime: 'application/zip' };
}

export async function exportRunForPytorch(runId: string, baseUrl: string = import.meta.env.BASE_URL ?? '/'): Promise<ExportedFile> {
  const run = await requireRun(runId);
  const manifest = await requireManifest(run.datasetId, `run "${run.name}"`);
  return exportRuns(run.name, [{ name: run.name, config: run.config, labels: run.labels }], manifest, baseUrl);
}

export async function exportGridForPytorch(gridId: string, baseUrl: string = import.meta.env.BASE_URL ?? '/'): Promise<ExportedFile> {
  const grid: GridRecord | undefined = await getGrid(gridId);
  if (!grid) throw new Error(`grid ${gridId} is not in this browser's storage`);
  const manifest = await requireManifest(grid.spec.datasetId, `grid "${grid.spec.name}"`);
  const cells = grid.cells.map((c) => ({ name: `${c.method}-${fractionLabel(c.fraction).replace(/\s/g, '')}-seed${c.seed}`, config: c.config, labels: manifest.labels }));
  return exportRuns(grid.spec.name, cells, manifest, baseUrl);
}

/** The files train.py writes: metrics.json, and adapter/adapter_config.json + adapter/adapter_model.safetensors (LoRA). */
export interface PytorchResultFiles {
  name: string;
  bytes: Uint8Array;
}

function fileNamed(files: PytorchResultFiles[], ending: string): PytorchResultFiles | undefined {
  return files.find((f) => f.name.replace(/\\/g, '/').endsWith(ending));
}

/**
 * Reads an exported script's output into the runs store as a finished run from "PyTorch (external)": its steps,
 * evaluations and test score as train.py recorded them, and (LoRA) its adapter as the run's best checkpoint.
 */
export async function importPytorchResults(files: PytorchResultFiles[]): Promise<RunSummary> {
  const metricsFile = fileNamed(files, 'metrics.json');
  if (!metricsFile) throw new Error('choose the output of an exported train.py: metrics.json is missing (and, for LoRA, adapter/adapter_config.json + adapter_model.safetensors)');
  const log = JSON.parse(new TextDecoder().decode(metricsFile.bytes)) as MetricsLog & { runtime?: unknown };
  for (const field of ['config', 'labels', 'steps', 'evaluations'] as const) {
    if (!(field in log)) throw new Error(`metrics.json has no "${field}": it is not the lab's metrics schema`);
  }
  const { backend: _backend, initialisationNote, microBatch, ...config } = log.config;
  void _backend;
  const vitCfg = makeVitConfig(config.preset, log.labels.length);
  const now = new Date();
  const manifest = await getManifest(config.datasetId);
  const id = `pt-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const bestVal = log.evaluations.filter((e) => e.split === 'val').reduce<RunSummary['bestVal']>((best, e) => (isBetter(e, best) ? { step: e.step, macroAuroc: e.macroAuroc, loss: e.loss } : best), undefined);
  const summary: RunSummary = {
    id,
    name: `${runName(manifest?.name ?? 'dataset', config.method, new Date(log.startedAt ?? now.toISOString()))}-pytorch`,
    source: 'pytorch',
    datasetId: config.datasetId,
    datasetName: manifest?.name ?? '(dataset not in this browser)',
    labels: log.labels,
    config,
    backend: undefined,
    microBatch,
    initialisationNote: `PyTorch (external): ${initialisationNote ?? ''}`,
    status: 'finished',
    step: log.steps.at(-1)?.step ?? 0,
    resumeStep: null,
    createdAt: log.startedAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
    wallMs: log.steps.reduce((n, s) => n + (s.ms ?? 0), 0),
    bestVal,
    test: log.test,
    params: log.params ?? countParams(vitCfg, config.method, config.lora),
    optimizerStateBytes: 0,
    checkpointBytes: 0,
  };
  const configJson = fileNamed(files, 'adapter_config.json');
  const weights = fileNamed(files, 'adapter_model.safetensors');
  if (config.method === 'lora' && configJson && weights) {
    const shape = await adapterShapeConfig(weights.bytes);
    const imported = await importPeftAdapter(new TextDecoder().decode(configJson.bytes), weights.bytes, { ...vitCfg, embedDim: shape.embedDim, depth: shape.depth }, config.lora.targets.qkv);
    const trainable = [...imported.tensors, ...imported.classifier].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    summary.checkpointBytes = await saveCheckpoint(id, {
      kind: 'best',
      step: summary.bestVal?.step ?? summary.step,
      trainable,
      lora: { r: imported.loraConfig.r, lora_alpha: imported.loraConfig.lora_alpha },
      val: summary.bestVal ? { macroAuroc: summary.bestVal.macroAuroc, loss: summary.bestVal.loss } : undefined,
    });
  }
  await appendMetrics(id, 0, { steps: log.steps, evaluations: log.evaluations, events: log.events ?? [] });
  await putRun(summary);
  return summary;
}
