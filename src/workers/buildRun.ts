/**
 * Wiring of one training run from its RunConfig: model (+ adapter), optimizer and batch streams.
 * The only place where model, train and data meet (with the worker that calls it).
 */
import { makeVitConfig, NORMALISATION, type VitConfig } from '../model/config';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { BatchStream } from '../data/batches';
import { getManifest } from '../data/store';
import type { DatasetManifest } from '../data/types';
import { AdamW, SgdMomentum, type Optimizer } from '../train/optimizers';
import { paramGroupFor } from '../train/paramGroups';
import type { RunConfig } from './protocol';
import { loadInitialWeights } from './initialWeights';

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

export function makeOptimizer(config: RunConfig, depth: number): Optimizer {
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, depth, config.layerDecay);
  return config.optimizer === 'adamw'
    ? new AdamW({ beta1: config.momentum, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay, group })
    : new SgdMomentum({ momentum: config.momentum, weightDecay: config.weightDecay, group });
}

export async function buildRun(config: RunConfig): Promise<BuiltRun> {
  const manifest = await getManifest(config.datasetId);
  if (!manifest) throw new Error(`dataset ${config.datasetId} is not in this browser's storage`);
  if (manifest.counts.train === 0) throw new Error(`dataset "${manifest.name}" has no training images`);
  const vitCfg = makeVitConfig(config.preset, manifest.labels.length);
  const { params, note } = await loadInitialWeights(config, vitCfg);
  const model = new VitModel(vitCfg, params);
  if (config.method === 'lora') model.lora = LoraAdapter.create(vitCfg, config.lora, config.seed);
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
  // The demo backbone is MAE-style; a random one has no statistics of its own, so both use the MAE mean/std.
  const norm = NORMALISATION.mae;
  return { manifest, vitCfg, model, optimizer: makeOptimizer(config, vitCfg.depth), train, val, initialisationNote: note, norm };
}

/** For callers that only need fresh random parameters (tests, benchmarks). */
export function randomParams(vitCfg: VitConfig, seed: number) {
  return initVitParams(vitCfg, seed);
}
