/**
 * The cases of the PyTorch-export golden, shared by the writer (scripts/write_pytorch_golden_inputs.ts, which
 * exports them for train.py) and the test (tests/io/pytorchExport.test.ts, which trains them with the lab's code):
 * the tiny NIH dataset of tests/fixtures/pytorch, the run configs, and the initial weights — the demo backbone,
 * a seeded head and, for LoRA, a seeded adapter — built the same way on both sides.
 */
import { readFileSync } from 'node:fs';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decode } from 'fast-png';
import { loadBackbone } from '../../src/io/checkpoint';
import { DEMO_BACKBONE } from '../../src/io/demoBackbone';
import { exportPeftAdapter } from '../../src/io/peft';
import { LoraAdapter } from '../../src/model/lora';
import { VitModel } from '../../src/model/vit';
import { writeSafetensors } from '../../src/formats/safetensors';
import type { RunConfig } from '../../src/run/records';
import type { LabelValue, Split } from '../../src/run/datasets';
import type { RunSplits } from '../../src/io/pytorch/exportExperiment';

export const FIXTURE_ROOT = join(__dirname, '..', 'fixtures', 'pytorch');
export const GOLDEN_FILE = join(__dirname, '..', 'fixtures', 'golden', 'pytorch_export.json');
export const STORAGE_SIZE = 96;
export const LABELS = ['Pneumonia', 'Effusion'];
/** Steps train.py runs (--steps-override) and the lab session runs before it is stopped; totalSteps stays 6. */
export const GOLDEN_STEPS = 3;

export interface IndexRow {
  path: string;
  split: Split;
  labels: LabelValue[];
}

export function fixtureIndex(): IndexRow[] {
  const lines = readFileSync(join(FIXTURE_ROOT, 'index.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [path, split, ...labels] = line.split(',');
    return { path, split: split as Split, labels: labels.map(Number) as LabelValue[] };
  });
}

export function fixtureSplits(): RunSplits {
  const splits: RunSplits = { train: [], val: [], test: [] };
  for (const row of fixtureIndex()) splits[row.split].push({ path: row.path, labels: row.labels });
  return splits;
}

/** The stored 8-bit pixels of a fixture image (already gray, STORAGE_SIZE square, as the lab stores them). */
export function fixturePixels(path: string): Uint8Array {
  const png = decode(readFileSync(join(FIXTURE_ROOT, path)));
  if (png.channels !== 1 || png.depth !== 8 || png.width !== STORAGE_SIZE || png.height !== STORAGE_SIZE) {
    throw new Error(`${path} is not an 8-bit gray ${STORAGE_SIZE} px PNG`);
  }
  return Uint8Array.from(png.data);
}

const BASE: RunConfig = {
  datasetId: 'nih-fixture',
  method: 'lora',
  preset: 'tiny',
  lora: { r: 4, lora_alpha: 8, lora_dropout: 0, use_rslora: false, targets: { qkv: ['q', 'v'], proj: false, fc1: false, fc2: false } },
  initialisation: 'pretrained-demo',
  optimizer: 'sgd',
  baseLr: 0.05,
  scaleLrByBatch: false,
  minLr: 1e-6,
  momentum: 0.9,
  weightDecay: 0,
  layerDecay: 1,
  warmupSteps: 2,
  totalSteps: 6,
  batchSize: 4,
  evalEvery: 3,
  evalMaxImages: 5,
  dropPath: 0,
  augment: false,
  seed: 11,
};

export interface GoldenCase {
  name: string;
  config: RunConfig;
}

/** Drop-path and LoRA dropout stay 0: their masks come from each library's own random generator. */
export const GOLDEN_CASES: GoldenCase[] = [
  // The study's LoRA (q, v of qkv) with the MRM recipe's SGD.
  { name: 'lora-sgd', config: BASE },
  // Full fine-tuning with the MAE recipe: AdamW, weight decay, layer-wise lr decay, lr scaled by batch.
  {
    name: 'fft-adamw',
    config: { ...BASE, method: 'fft', optimizer: 'adamw', baseLr: 5e-3, scaleLrByBatch: true, weightDecay: 0.05, layerDecay: 0.65, seed: 5 },
  },
  // LoRA on q, v and proj with rsLoRA (PEFT's rank_pattern / alpha_pattern), AdamW, and augmentation on
  // (RandomResizedCrop + flip in training, centre crop in evaluation).
  {
    name: 'lora-adamw-augment',
    config: {
      ...BASE,
      lora: { r: 2, lora_alpha: 6, lora_dropout: 0, use_rslora: true, targets: { qkv: ['q', 'v'], proj: true, fc1: false, fc2: false } },
      optimizer: 'adamw',
      baseLr: 0.4,
      scaleLrByBatch: true,
      weightDecay: 0.05,
      layerDecay: 0.65,
      augment: true,
      seed: 3,
    },
  },
  // Linear probe: only fc_norm and head train.
  { name: 'linear-sgd', config: { ...BASE, method: 'linear', baseLr: 0.1, weightDecay: 1e-3, seed: 8 } },
];

/**
 * The case's starting model: the shipped demo backbone (MAE-pretrained tiny ViT), fc_norm 1 / 0, a head drawn with
 * std 0.02 (not the recipe's 2e-5, so that the backbone's gradients are not vanishingly small), and for LoRA an
 * adapter whose B is non-zero (so A gets gradients from the first step). Deterministic: seeded tfjs draws.
 */
export async function initialModel(c: GoldenCase): Promise<VitModel> {
  const file = join(__dirname, '..', '..', 'public', DEMO_BACKBONE.path);
  const loaded = await loadBackbone(await openAsBlob(file), { numClasses: LABELS.length, seed: c.config.seed }, undefined, { cache: false });
  const model = new VitModel(loaded.cfg, loaded.params);
  const head = tf.truncatedNormal(model.p('head.weight').shape, 0, 0.02, 'float32', c.config.seed + 101);
  model.p('head.weight').assign(head);
  head.dispose();
  if (c.config.method === 'lora') {
    const adapter = LoraAdapter.create(model.cfg, c.config.lora, c.config.seed);
    [...adapter.tensors.entries()].forEach(([name, v], k) => {
      if (!name.includes('lora_B')) return;
      const b = tf.randomUniform(v.shape, -0.05, 0.05, 'float32', c.config.seed * 31 + k);
      v.assign(b);
      b.dispose();
    });
    model.lora = adapter;
  }
  return model;
}

/** The initial weights as train.py reads them: base model (timm names, with the head) and the PEFT adapter. */
export async function initialFiles(model: VitModel): Promise<Record<string, Uint8Array | string>> {
  const { numClasses, ...arch } = model.cfg;
  const files: Record<string, Uint8Array | string> = {
    'initial.safetensors': await writeSafetensors(new Map(model.params), { format: 'pt', vitConfig: JSON.stringify({ ...arch, numClasses }) }),
  };
  if (model.lora) {
    const adapter = await exportPeftAdapter(model);
    files['initial_adapter/adapter_config.json'] = adapter.configJson;
    files['initial_adapter/adapter_model.safetensors'] = adapter.safetensors;
  }
  return files;
}
