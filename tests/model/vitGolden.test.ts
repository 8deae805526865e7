/**
 * The ViT + LoRA forward and backward pass against PyTorch (scripts/make_golden.py, float64 reference):
 * logits and loss within 1e-5 relative, every trainable tensor's gradient within 1e-4 relative (norm-based),
 * for LoRA, full fine-tuning and linear probe, on tfjs's CPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithGolden, goldenTensor, goldenValues, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { lossAndGradients, trainableVariables } from '../../src/train/step';
import { bceWithLogits } from '../../src/train/loss';
import { FORWARD_FIXTURES, loadForward } from './goldenFixtures';
import type { Method } from '../../src/run/loraConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const LOGITS_TOL = 1e-5;
const GRAD_TOL = 1e-4;

describe.each(FORWARD_FIXTURES)('%s against PyTorch', (fixture) => {
  const g = loadForward(fixture);
  const methods = Object.keys(g.results) as Method[];

  it.each(methods)('%s: logits, loss and every trainable gradient', async (method) => {
    const expected = g.results[method]!;
    const c = await compareWithGolden(g, method, expected);
    expect(c.logitsRelError).toBeLessThan(LOGITS_TOL);
    expect(c.lossRelError).toBeLessThan(LOGITS_TOL);
    // exactly the trainable names, no more and no fewer
    expect(Object.keys(c.gradRelErrors).sort()).toEqual(Object.keys(expected.grads).sort());
    for (const [name, err] of Object.entries(c.gradRelErrors)) expect(err, name).toBeLessThan(GRAD_TOL);
  });

  it.each(g.variants.map((v, i) => [i, v.lora] as const))('variant %i of the same adapter tensors: %o', async (i) => {
    const v = g.variants[i];
    const c = await compareWithGolden({ ...g, lora: v.lora }, 'lora', v);
    expect(c.logitsRelError).toBeLessThan(LOGITS_TOL);
    expect(c.lossRelError).toBeLessThan(LOGITS_TOL);
    for (const [name, err] of Object.entries(c.gradRelErrors)) expect(err, name).toBeLessThan(GRAD_TOL);
  });

  it('masked BCE (entries with mask 0 left out) and its gradients', async () => {
    const model = modelFromGolden(g, true);
    const [x, y, mask] = [goldenTensor(g.input) as tf.Tensor4D, goldenTensor(g.targets) as tf.Tensor2D, goldenTensor(g.mask) as tf.Tensor2D];
    const { loss, grads } = lossAndGradients(model, trainableVariables(model, 'linear'), { x, y, mask });
    expect(relativeError(await loss.data(), [g.masked.loss])).toBeLessThan(LOGITS_TOL);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(g.masked.grads).sort());
    for (const [name, t] of Object.entries(g.masked.grads)) {
      expect(relativeError(await grads[name].data(), goldenValues(t)), name).toBeLessThan(GRAD_TOL);
    }
    tf.dispose([x, y, mask, loss, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('BCE with logits', () => {
  it('stays finite and exact for large logits (the log1p(exp(-|x|)) form)', async () => {
    const logits = tf.tensor2d([[80, -80, 0.5]]);
    const targets = tf.tensor2d([[0, 1, 1]]);
    // torch: BCEWithLogits([80, -80, 0.5], [0, 1, 1]) = mean(80, 80, softplus(-0.5))
    const expected = (80 + 80 + Math.log1p(Math.exp(-0.5))) / 3;
    const loss = bceWithLogits(logits, targets);
    expect(relativeError(await loss.data(), [expected])).toBeLessThan(1e-6);
    tf.dispose([logits, targets, loss]);
  });
});
