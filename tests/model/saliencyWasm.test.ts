/**
 * The saliency goldens from timm (scripts/golden_saliency.py) on tfjs's real WASM backend in Node with the lab's
 * WASM kernels installed, as the page runs them: input gradients within 1e-4, attention rollout within 1e-5,
 * SmoothGrad within 1e-4 (max |actual - expected| / max |expected|), and no tensor left in the backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWasmKernels } from '../../src/backends/wasmKernels';
import { goldenValues } from '../../src/train/selfCheck';
import { attentionRollout, batchGradientTimesInput, smoothGrad } from '../../src/model/saliency';
import { buildGoldenModel, goldenImages, GRAD_TOL, imageOf, maxRelError, ROLLOUT_TOL, saliencyGolden as g } from './saliencyGolden';

beforeAll(async () => {
  installWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['plain', 'lora'] as const)('%s model on WASM against PyTorch', (key) => {
  it('input gradients, attention rollout (and SmoothGrad for the LoRA model)', async () => {
    const before = tf.memory().numTensors;
    const model = buildGoldenModel(key === 'lora');
    const x = goldenImages();
    const r = g.results[key];
    const { gradient, signed } = batchGradientTimesInput(model, x, r.label);
    expect(maxRelError(await gradient.data(), goldenValues(r.inputGradient))).toBeLessThan(GRAD_TOL);
    if (r.gradTimesInput) expect(maxRelError(await signed.data(), goldenValues(r.gradTimesInput))).toBeLessThan(GRAD_TOL);
    for (const b of [0, 1]) {
      const image = tf.slice(x, b, 1);
      const { grid, map } = attentionRollout(model, image);
      expect(maxRelError(await grid.data(), imageOf(r.rolloutGrid, b))).toBeLessThan(ROLLOUT_TOL);
      if (r.rolloutMap) expect(maxRelError(await map.data(), imageOf(r.rolloutMap, b))).toBeLessThan(ROLLOUT_TOL);
      tf.dispose([image, grid, map]);
    }
    if (key === 'lora') {
      const sg = g.smoothGrad;
      const image = tf.slice(x, sg.image, 1);
      const s = smoothGrad(model, image, sg.label, { samples: sg.samples, noiseStd: sg.noiseStd, seed: sg.seed });
      expect(maxRelError(await s.signed.data(), goldenValues(sg.map))).toBeLessThan(GRAD_TOL);
      tf.dispose([image, s.map, s.signed]);
    }
    tf.dispose([gradient, signed, x]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
