/**
 * Wiring of one training run from its RunConfig: model (+ adapter), optimizer and batch streams.
 * The only place where model, train and data meet (with the worker that calls it).
 */
import type { VitConfig } from '../run/vitConfig';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { BatchStream } from '../data/batches';
import { getManifest } from '../storage/datasets';
import { makeOptimizer } from '../train/makeOptimizer';
import type { Optimizer } from '../train/optimizers';
import { loadInitialWeights } from './initialWeights';
import { applyImportedAdapter, importPeftAdapter } from '../io/peft';
import { restoreCheckpoint } from '../train/sessionState';
import type { RunCheckpoint } from '../run/checkpoints';
import type { RunConfig } from '../run/records';
import type { DatasetManifest } from '../run/datasets';

export interface BuiltRun {
  manifest: DatasetManifest;
  vitCfg: VitConfig;
  model: VitModel;
  optimizer: Optimizer;
  train: BatchStream;
  val: BatchStream | null;
  initialisationNote: string;
  norm: { mean: number; std: number };
}

/** A PEFT adapter imported by the user, applied to the next LoRA run instead of a fresh adapter. */
export interface PendingAdapter {
  configJson: string;
  safetensors: Uint8Array;
}

export interface BuildOptions {
  /** A PEFT adapter imported by the user, to start a new LoRA run from. */
  pendingAdapter?: PendingAdapter | null;
  /** A resumed run: its resume checkpoint is put back into the fresh model and optimizer, the stream continues there. */
  resume?: RunCheckpoint;
}

export async function buildRun(config: RunConfig, options: BuildOptions = {}): Promise<BuiltRun> {
  const { pendingAdapter = null, resume } = options;
  const manifest = await getManifest(config.datasetId);
  if (!manifest) throw new Error(`dataset ${config.datasetId} is not in this browser's storage (it was deleted): add it again to run this`);
  if (manifest.counts.train === 0) throw new Error(`dataset "${manifest.name}" has no training images`);
  const { cfg: vitCfg, params, note, norm } = await loadInitialWeights(config, manifest.labels.length);
  const model = new VitModel(vitCfg, params);
  let adapterNote = '';
  if (config.method === 'lora' && pendingAdapter) {
    const imported = await importPeftAdapter(pendingAdapter.configJson, pendingAdapter.safetensors, vitCfg, config.lora.targets.qkv);
    // A head trained for other labels cannot be reused: keep only the adapter then.
    const headFits = [...imported.classifier].every(([name, t]) => model.p(name).shape.join() === t.shape.join());
    if (!headFits) imported.classifier.clear();
    applyImportedAdapter(model, imported);
    adapterNote = `; LoRA starts from the imported adapter (r=${imported.loraConfig.r}${headFits ? ', with its fc_norm/head' : ', new fc_norm/head: the adapter\'s head has other labels'})`;
  } else if (config.method === 'lora') {
    model.lora = LoraAdapter.create(vitCfg, config.lora, config.seed);
  }
  const optimizer = makeOptimizer(config, vitCfg.depth);
  if (resume) restoreCheckpoint(model, resume, config.lora, optimizer);
  const train = new BatchStream({
    datasetId: config.datasetId,
    split: 'train',
    batchSize: config.batchSize,
    size: manifest.storageSize,
    numLabels: manifest.labels.length,
    seed: config.seed,
    mode: 'train',
    startBatch: resume?.step ?? 0,
    trainFraction: config.trainFraction,
  });
  await train.init();
  let val: BatchStream | null = null;
  if (manifest.counts.val > 0) {
    val = new BatchStream({
      datasetId: config.datasetId,
      split: 'val',
      batchSize: config.batchSize,
      size: manifest.storageSize,
      numLabels: manifest.labels.length,
      seed: config.seed,
      mode: 'eval',
      maxImages: config.evalMaxImages,
    });
    await val.init();
  }
  return { manifest, vitCfg, model, optimizer, train, val, initialisationNote: note + adapterNote, norm };
}

/** The whole test split in a fixed order (the study scores on all of it, not a sample); null when it is empty. */
export async function testStream(config: RunConfig, manifest: DatasetManifest): Promise<BatchStream | null> {
  if (manifest.counts.test === 0) return null;
  const test = new BatchStream({
    datasetId: config.datasetId,
    split: 'test',
    batchSize: config.batchSize,
    size: manifest.storageSize,
    numLabels: manifest.labels.length,
    seed: config.seed,
    mode: 'eval',
  });
  await test.init();
  return test;
}

