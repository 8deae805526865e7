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

export async function buildRun(config: RunConfig, pendingAdapter: PendingAdapter | null = null): Promise<BuiltRun> {
  const manifest = await getManifest(config.datasetId);
  if (!manifest) throw new Error(`dataset ${config.datasetId} is not in this browser's storage`);
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
  const train = new BatchStream({
    datasetId: config.datasetId,
    split: 'train',
    batchSize: config.batchSize,
    size: manifest.storageSize,
    numLabels: manifest.labels.length,
    seed: config.seed,
    mode: 'train',
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
  return { manifest, vitCfg, model, optimizer: makeOptimizer(config, vitCfg.depth), train, val, initialisationNote: note + adapterNote, norm };
}

