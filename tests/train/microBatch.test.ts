/**
 * Gradient accumulation over micro-batches (lossAndGradients' microBatch) gives the whole batch's loss and
 * gradients, masked entries included, for every method; it leaks no tensors across steps; and the lab's
 * micro-batch choice fits the memory budget it is given.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVitConfig, type Method } from '../../src/model/config';
import { goldenTensor, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { activationBudgetBytes, activationBytesPerImage, chooseMicroBatch } from '../../src/train/microBatch';
import { SgdMomentum } from '../../src/train/optimizers';
import { lossAndGradients, trainableVariables, trainStep } from '../../src/train/step';
import { FORWARD_FIXTURES, loadForward } from '../model/goldenFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = loadForward(FORWARD_FIXTURES[0]);

/** The golden batch (4 images, some label entries masked out), repeated to 4 if it is smaller, pixels perturbed. */
function batchOfFour() {
  const x0 = goldenTensor(g.input) as tf.Tensor4D;
  const y0 = goldenTensor(g.targets) as tf.Tensor2D;
  const m0 = goldenTensor(g.mask) as tf.Tensor2D;
  const reps = 4 / x0.shape[0];
  const x = tf.add(tf.concat(Array(reps).fill(x0)), tf.randomNormal([4, ...x0.shape.slice(1)], 0, 0.1, 'float32', 5)) as tf.Tensor4D;
  const y = tf.concat(Array(reps).fill(y0)) as tf.Tensor2D;
  const mask = tf.concat(Array(reps).fill(m0)) as tf.Tensor2D;
  tf.dispose([x0, y0, m0]);
  return { x, y, mask };
}

describe('micro-batch gradient accumulation', () => {
  it.each(['lora', 'fft', 'linear'] as Method[])('%s: slices of 1 and 2 give the whole batch of 4 (masked loss)', async (method) => {
    const model = modelFromGolden(g, method === 'lora');
    const trainable = trainableVariables(model, method);
    const inputs = batchOfFour();
    const whole = lossAndGradients(model, trainable, inputs);
    for (const micro of [1, 2]) {
      const parts = lossAndGradients(model, trainable, inputs, {}, micro);
      expect(relativeError(await parts.loss.data(), await whole.loss.data())).toBeLessThan(1e-6);
      expect(Object.keys(parts.grads).sort()).toEqual(Object.keys(whole.grads).sort());
      for (const [name, grad] of Object.entries(whole.grads)) {
        expect(relativeError(await parts.grads[name].data(), await grad.data()), `${name} (micro-batch ${micro})`).toBeLessThan(1e-5);
      }
      tf.dispose([parts.loss, ...Object.values(parts.grads)]);
    }
    tf.dispose([whole.loss, ...Object.values(whole.grads), inputs.x, inputs.y, inputs.mask]);
    model.dispose();
  });

  it('rejects a micro-batch that does not divide the batch', () => {
    const model = modelFromGolden(g, false);
    const inputs = batchOfFour();
    expect(() => lossAndGradients(model, trainableVariables(model, 'fft'), inputs, {}, 3)).toThrow(/does not divide/);
    tf.dispose([inputs.x, inputs.y, inputs.mask]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over accumulated steps', async () => {
    const model = modelFromGolden(g, true);
    const trainable = trainableVariables(model, 'lora');
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0.05, group: () => ({ lrScale: 1, weightDecay: true }) });
    const inputs = batchOfFour();
    const counts: number[] = [];
    for (let step = 0; step < 6; step++) {
      const loss = trainStep(model, trainable, optimizer, inputs, 1e-3, {}, 2);
      expect(Number.isFinite((await loss.data())[0])).toBe(true);
      loss.dispose();
      counts.push(tf.memory().numTensors);
    }
    // step 0 allocates the momentum buffers; every later step must end where the one before did
    expect(new Set(counts.slice(1)).size).toBe(1);
    optimizer.dispose();
    tf.dispose([inputs.x, inputs.y, inputs.mask]);
    model.dispose();
  });
});

describe('chooseMicroBatch', () => {
  const vit112 = makeVitConfig('vit_tiny_patch16', 14, { imgSize: 112 });
  const vit224 = makeVitConfig('vit_tiny_patch16', 14, { imgSize: 224 });
  it('keeps the whole batch when it fits and splits a ViT-Ti 224 px batch of 32 on WASM', () => {
    const tiny = makeVitConfig('tiny', 2);
    expect(chooseMicroBatch(tiny, 32, activationBudgetBytes('wasm', tiny))).toBe(32);
    expect(chooseMicroBatch(vit112, 32, activationBudgetBytes('wasm', vit112))).toBe(32);
    const budget = activationBudgetBytes('wasm', vit224);
    const m = chooseMicroBatch(vit224, 32, budget);
    expect(m).toBeLessThan(32);
    expect(32 % m).toBe(0);
    expect(m * activationBytesPerImage(vit224)).toBeLessThanOrEqual(budget);
    // the next larger divisor would not fit
    expect(2 * m * activationBytesPerImage(vit224)).toBeGreaterThan(budget);
  });

  it('leaves room in the 4 GiB WASM heap for weights, gradients and two optimizer moments (ViT-B)', () => {
    const base = makeVitConfig('vit_base_patch16', 14);
    const params = 86e6;
    expect(activationBudgetBytes('wasm', base) + 16 * params).toBeLessThan(3.6 * 2 ** 30);
  });

  it('matches the peaks it was fitted to within 15 % (bench: ViT-Ti LoRA steps on WASM)', () => {
    const mib = (cfg: typeof vit112, images: number) => (images * activationBytesPerImage(cfg)) / 2 ** 20;
    expect(mib(vit112, 32) / 1975).toBeGreaterThan(0.85);
    expect(mib(vit112, 32) / 1975).toBeLessThan(1.15);
    expect(mib(vit224, 4) / 1082).toBeGreaterThan(0.85);
    expect(mib(vit224, 4) / 1082).toBeLessThan(1.15);
  });

  it('falls back to one image per pass when even one is over budget', () => {
    expect(chooseMicroBatch(makeVitConfig('vit_base_patch16', 14), 32, 1e6)).toBe(1);
  });
});
