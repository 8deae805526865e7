/**
 * Two full optimizer steps against torch.optim.SGD (momentum 0.9, weight decay) and torch.optim.AdamW
 * (decoupled weight decay), both with MAE's layer-wise lr decay groups (0.65) and no decay on 1-D tensors,
 * pos_embed and cls_token, for full fine-tuning and LoRA. The UPDATE of every trainable tensor
 * (after - before) is compared, which is far stricter than comparing the tensors themselves.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, SgdMomentum, type Optimizer } from '../../src/train/optimizers';
import { paramGroupFor } from '../../src/train/paramGroups';
import { goldenTensor, goldenValues, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { trainStep, trainableVariables } from '../../src/train/step';
import { loadOptimizer, type OptimizerSettings } from '../model/goldenFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const UPDATE_TOL = 1e-4;
const g = loadOptimizer();

function makeOptimizer(o: OptimizerSettings, depth: number): Optimizer {
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, depth, o.layerDecay);
  if (o.kind === 'sgd') return new SgdMomentum({ momentum: o.momentum!, weightDecay: o.weightDecay, group });
  return new AdamW({ beta1: o.beta1!, beta2: o.beta2!, eps: o.eps!, weightDecay: o.weightDecay, group });
}

/** Drops the listed flat indices (entries whose exact gradient is zero; see make_golden.py). */
function without(values: ArrayLike<number>, skip: number[] | undefined): number[] {
  const drop = new Set(skip ?? []);
  return Array.from(values).filter((_, i) => !drop.has(i));
}

/**
 * An update read back as float32(after) - float32(before) carries up to half an ulp of each (|x| 2^-24),
 * whatever the optimizer does: for tensors with large values and small updates (pos_embed, cls_token under
 * layer decay) that floor is comparable to 1e-4, so it is added to the tolerance rather than hidden in it.
 */
function roundingFloor(after: number[], before: number[], reference: number[]): number {
  let floor = 0;
  let ref = 0;
  for (let i = 0; i < reference.length; i++) {
    floor += ((Math.abs(after[i]) + Math.abs(before[i])) * 2 ** -24) ** 2;
    ref += reference[i] ** 2;
  }
  return Math.sqrt(floor) / Math.max(Math.sqrt(ref), 1e-30);
}

describe('optimizer steps against PyTorch', () => {
  it.each(g.runs.map((r, i) => [r.method, r.optimizer.kind, i] as const))('%s with %s: two steps', async (_m, _k, i) => {
    const run = g.runs[i];
    const model = modelFromGolden(g, run.method === 'lora');
    const trainable = trainableVariables(model, run.method);
    const optimizer = makeOptimizer(run.optimizer, g.config.depth);
    const x = goldenTensor(g.input) as tf.Tensor4D;
    const y = goldenTensor(g.targets) as tf.Tensor2D;
    expect([...trainable.keys()].sort()).toEqual(Object.keys(run.after[0]).sort());
    const golden0: Record<string, Float32Array> = {};
    for (const name of trainable.keys()) golden0[name] = goldenValues(g.weights[name] ?? g.loraTensors[name]);
    let before = golden0;
    for (const [step, lr] of run.optimizer.lrs.entries()) {
      const current: Record<string, Float32Array> = {};
      for (const [name, v] of trainable) current[name] = (await v.data()) as Float32Array;
      trainStep(model, trainable, optimizer, { x, y }, lr).dispose();
      const expectedAfter: Record<string, Float32Array> = {};
      for (const [name, v] of trainable) {
        const after = (await v.data()) as Float32Array;
        expectedAfter[name] = goldenValues(run.after[step][name]);
        const ours = after.map((a, j) => a - current[name][j]);
        const theirs = expectedAfter[name].map((a, j) => a - before[name][j]);
        const skip = run.optimizer.kind === 'adamw' ? run.vanishingGradient[name] : undefined;
        const err = relativeError(without(ours, skip), without(theirs, skip));
        const floor = roundingFloor(without(after, skip), without(current[name], skip), without(theirs, skip));
        expect(err, `${name} step ${step + 1}`).toBeLessThan(UPDATE_TOL + floor);
      }
      before = expectedAfter;
    }
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('the skipped entries are only the key bias (softmax is blind to a constant added to every key)', () => {
    for (const run of g.runs) {
      for (const [name, idx] of Object.entries(run.vanishingGradient)) {
        expect(name).toMatch(/^blocks\.\d+\.attn\.qkv\.bias$/);
        const d = g.config.embedDim;
        expect(idx).toEqual(Array.from({ length: d }, (_, j) => d + j));
      }
    }
  });
});
