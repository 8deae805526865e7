/**
 * Gradient accumulation over micro-batches (lossAndGradients' microBatch) gives the whole batch's loss and
 * gradients, masked entries included, for every method; it leaks no tensors across steps; and the lab's
 * micro-batch choice fits the memory budget it is given.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVitConfig } from '../../src/run/vitConfig';
import { goldenTensor, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { activationBudgetBytes, activationBytesPerImage, chooseMicroBatch, forwardBytesPerImage } from '../../src/train/microBatch';
import { SgdMomentum } from '../../src/train/optimizers';
import { lossAndGradients, trainableVariables, trainStep } from '../../src/train/step';
import { FORWARD_FIXTURES, loadForward } from '../model/goldenFixtures';
import { initVitParams } from '../../src/model/init';
import { VitModel } from '../../src/model/vit';
import { type Method } from '../../src/run/loraConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = loadForward(FORWARD_FIXTURES[0]);

/**
 * The golden batch (4 images), pixels perturbed, with row 0's labels all masked out: the halves of a
 * micro-batch of 2 then hold different numbers of counted entries, which a per-slice mean would get wrong.
 */
function batchOfFour() {
  const x0 = goldenTensor(g.input) as tf.Tensor4D;
  const y = goldenTensor(g.targets) as tf.Tensor2D;
  const m0 = goldenTensor(g.mask) as tf.Tensor2D;
  expect(x0.shape[0]).toBe(4);
  const x = tf.add(x0, tf.randomNormal(x0.shape, 0, 0.1, 'float32', 5)) as tf.Tensor4D;
  const rowMask = tf.tensor2d([0, 1, 1, 1], [4, 1]);
  const mask = tf.mul(m0, rowMask) as tf.Tensor2D;
  tf.dispose([x0, m0, rowMask]);
  return { x, y, mask };
}

describe('micro-batch gradient accumulation', () => {
  it.each(['lora', 'fft', 'linear'] as Method[])('%s: slices of 1, 2 and 3 (+1) give the whole batch of 4 (masked loss)', async (method) => {
    const model = modelFromGolden(g, method === 'lora');
    const trainable = trainableVariables(model, method);
    const inputs = batchOfFour();
    const whole = lossAndGradients(model, trainable, inputs);
    for (const micro of [1, 2, 3]) {
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

  it('rejects a micro-batch that is not a whole number >= 1', () => {
    const model = modelFromGolden(g, false);
    const inputs = batchOfFour();
    for (const bad of [0, -1, 1.5]) {
      expect(() => lossAndGradients(model, trainableVariables(model, 'fft'), inputs, {}, bad)).toThrow(/whole number >= 1/);
    }
    tf.dispose([inputs.x, inputs.y, inputs.mask]);
    model.dispose();
  });

  it('keeps only the loss and the accumulated gradients alive (no slice survives its pass)', async () => {
    const model = modelFromGolden(g, true);
    const trainable = trainableVariables(model, 'lora');
    const inputs = batchOfFour();
    const before = tf.memory().numTensors;
    const { loss, grads } = lossAndGradients(model, trainable, inputs, {}, 1);
    expect(tf.memory().numTensors).toBe(before + 1 + Object.keys(grads).length);
    tf.dispose([loss, ...Object.values(grads), inputs.x, inputs.y, inputs.mask]);
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
  it('keeps the whole batch when it fits and splits a ViT-Ti 224 px batch of 32 on WASM into the fewest passes', () => {
    const tiny = makeVitConfig('tiny', 2);
    expect(chooseMicroBatch(tiny, 32, activationBudgetBytes('wasm', tiny))).toBe(32);
    expect(chooseMicroBatch(vit112, 32, activationBudgetBytes('wasm', vit112))).toBe(32);
    const budget = activationBudgetBytes('wasm', vit224);
    const m = chooseMicroBatch(vit224, 32, budget);
    expect(m).toBeLessThan(32);
    expect(m * activationBytesPerImage(vit224)).toBeLessThanOrEqual(budget);
    // one pass fewer would need more images per pass than fit
    const passes = Math.ceil(32 / m);
    expect(Math.ceil(32 / (passes - 1)) * activationBytesPerImage(vit224)).toBeGreaterThan(budget);
  });

  it('spreads a batch evenly over the passes (batch 33, 10 images fit: 4 passes of at most 9)', () => {
    const perImage = activationBytesPerImage(vit224);
    expect(chooseMicroBatch(vit224, 33, 10 * perImage)).toBe(9);
    expect(chooseMicroBatch(vit224, 31, 10.5 * perImage)).toBe(8);
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

  it('runs a linear probe\'s frozen forward pass on the whole batch (no backbone activations kept for a backward pass)', () => {
    expect(chooseMicroBatch(vit224, 32, activationBudgetBytes('wasm', vit224), 'linear')).toBe(32);
    expect(chooseMicroBatch(vit224, 32, activationBudgetBytes('wasm', vit224), 'fft')).toBeLessThan(32);
    const base = makeVitConfig('vit_base_patch16', 14);
    expect(forwardBytesPerImage(base) * chooseMicroBatch(base, 256, activationBudgetBytes('wasm', base), 'linear')).toBeLessThanOrEqual(activationBudgetBytes('wasm', base));
  });

  it('a forward pass without a tape holds one block\'s intermediates at a time: its peak does not grow with depth and stays under the estimate', async () => {
    const perImagePeak = async (depth: number) => {
      const cfg = makeVitConfig('tiny', 2, { depth });
      const model = new VitModel(cfg, initVitParams(cfg, 1));
      const peak = async (batch: number) => {
        const x = tf.randomNormal([batch, 1, cfg.imgSize, cfg.imgSize], 0, 1, 'float32', 9) as tf.Tensor4D;
        const info = await tf.profile(() => model.pooledFeatures(x));
        tf.dispose([x, info.result as tf.Tensor]);
        return info.peakBytes;
      };
      const perImage = ((await peak(12)) - (await peak(4))) / 8;
      model.dispose();
      return { perImage, estimate: forwardBytesPerImage(cfg) };
    };
    const shallow = await perImagePeak(2);
    const deep = await perImagePeak(8);
    expect(deep.perImage).toBeLessThan(1.25 * shallow.perImage);
    expect(deep.perImage).toBeLessThanOrEqual(deep.estimate);
  });

  it('falls back to one image per pass when even one is over budget', () => {
    expect(chooseMicroBatch(makeVitConfig('vit_base_patch16', 14), 32, 1e6)).toBe(1);
  });
});
