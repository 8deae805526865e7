/**
 * The saliency golden (tests/fixtures/golden/saliency.json, from scripts/golden_saliency.py) for the tests that
 * read it: its types, its model rebuilt from the weight seed (+ its LoRA tensors), its two images preprocessed as
 * the lab does, and the error measure the tolerances apply to.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { goldenValues, type GoldenTensor } from '../../src/train/selfCheck';
import { preprocess } from '../../src/train/augment';
import { VitModel } from '../../src/model/vit';
import { LoraAdapter } from '../../src/model/lora';
import type { VitConfig } from '../../src/run/vitConfig';
import type { LoraConfig } from '../../src/run/loraConfig';
import { seededVitParams } from './seededWeights';

export interface ModelResult {
  label: number;
  logits: GoldenTensor;
  inputGradient: GoldenTensor;
  rolloutGrid: GoldenTensor;
  gradTimesInput?: GoldenTensor;
  rolloutMap?: GoldenTensor;
}

export interface SaliencyGolden {
  config: VitConfig;
  weightSeed: number;
  weightChecks: Record<string, [number, number]>;
  lora: LoraConfig;
  loraTensors: Record<string, GoldenTensor>;
  normalisation: { mean: number; std: number };
  images: { shape: [number, number, number]; pixels: number[] };
  results: { plain: ModelResult; lora: ModelResult };
  smoothGrad: { samples: number; noiseStd: number; seed: number; image: number; label: number; map: GoldenTensor };
}

export const saliencyGolden = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/golden/saliency.json', import.meta.url)), 'utf8')) as SaliencyGolden;

export const GRAD_TOL = 1e-4;
export const ROLLOUT_TOL = 1e-5;

/** max |actual - expected| / max |expected|, in float64. */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    ref = Math.max(ref, Math.abs(expected[i]));
  }
  return diff / Math.max(ref, 1e-30);
}

/** Image `b` of a golden tensor whose first axis is the batch. */
export function imageOf(t: GoldenTensor, b: number): Float32Array {
  const per = t.shape.slice(1).reduce((p, s) => p * s, 1);
  return goldenValues(t).subarray(b * per, (b + 1) * per);
}

export function buildGoldenModel(withLora: boolean): VitModel {
  const g = saliencyGolden;
  const model = new VitModel(g.config, seededVitParams(g.config, g.weightSeed));
  if (withLora) {
    const tensors = new Map(Object.entries(g.loraTensors).map(([k, t]) => [k, tf.tensor(goldenValues(t), t.shape)]));
    model.lora = LoraAdapter.fromTensors(g.config, g.lora, tensors);
  }
  return model;
}

/** The fixture's 8-bit images through the lab's evaluation preprocess: [2, 1, 64, 64] normalised. */
export function goldenImages(): tf.Tensor4D {
  const g = saliencyGolden;
  const [n, size] = g.images.shape;
  return preprocess(Uint8Array.from(g.images.pixels), n, size, g.config.imgSize, g.normalisation, null);
}
