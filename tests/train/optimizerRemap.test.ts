/**
 * Optimizer state across LoRA rank changes. tfjs's own optimizers key their state by the position of a
 * variable in the gradient list, so after a rank change the old moments meet tensors of another shape; the
 * lab's optimizers key state by name and `remap` makes it follow the new shapes:
 * - grow: B's kept columns are rescaled by c = old scaling / new scaling (so the model output is unchanged),
 *   which rescales the gradient w.r.t. those columns by 1 / c; moments are gradient statistics, so the kept
 *   first moment / momentum scales by 1 / c and the second moment by 1 / c^2, new rows / columns start at zero.
 * - shrink: the SVD re-factorisation changes the basis, so the state of A and B starts afresh.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, SgdMomentum, type Optimizer } from '../../src/train/optimizers';
import { paramGroupFor } from '../../src/train/paramGroups';
import { goldenTensor, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { lossAndGradients, trainStep, trainableVariables } from '../../src/train/step';
import { loadForward } from '../model/goldenFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const g = loadForward('vit_gray_lora_qv');
const depth = g.config.depth;
const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, depth, 0.65);
const newAdamW = () => new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, group });
const newSgd = () => new SgdMomentum({ momentum: 0.9, weightDecay: 0.05, group });

/** The optimizer's state slots (name#m / name#v for AdamW, name for SGD), read through its private store. */
function slots(opt: Optimizer): Map<string, tf.Variable> {
  return (opt as unknown as { state: { slots: Map<string, tf.Variable> } }).state.slots;
}

function setup() {
  const model = modelFromGolden(g, true);
  const x = goldenTensor(g.input) as tf.Tensor4D;
  const y = goldenTensor(g.targets) as tf.Tensor2D;
  return { model, x, y, dispose: () => { tf.dispose([x, y]); model.dispose(); } };
}

describe('optimizer state follows LoRA rank changes', () => {
  it('a position-keyed optimizer (tf.train.adam) breaks after a rank change: why remap exists', () => {
    const { model, x, y, dispose } = setup();
    const adam = tf.train.adam(1e-3);
    const step = () => {
      const vars = [...trainableVariables(model, 'lora').values()];
      adam.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.forward(x)) as tf.Scalar, false, vars);
    };
    step();
    return model.lora!.resize(8, 3).then(() => {
      expect(step).toThrow();
      adam.dispose();
      dispose();
    });
  });

  it.each([['AdamW', newAdamW], ['SGD', newSgd]] as const)('%s: grow r 4 -> 8, state shapes follow, kept part in gradient units', async (_n, make) => {
    const { model, x, y, dispose } = setup();
    const opt = make();
    let trainable = trainableVariables(model, 'lora');
    trainStep(model, trainable, opt, { x, y }, 1e-3).dispose();
    const nameB = 'blocks.0.attn.qkv.lora_B.q';
    const before = new Map([...slots(opt)].map(([k, v]) => [k, v.arraySync() as number[][]]));
    const { grads: g0 } = lossAndGradients(model, trainable, { x, y });
    const gradB0 = (await g0[nameB].array()) as number[][];
    tf.dispose(Object.values(g0));

    const changes = await model.lora!.resize(8, 7);
    opt.remap(changes);
    trainable = trainableVariables(model, 'lora');
    for (const [key, s] of slots(opt)) {
      const param = trainable.get(key.split('#')[0])!;
      expect(s.shape, key).toEqual(param.shape);
    }
    const c = changes.find((ch) => ch.name === nameB)!.keptScale;
    expect(c).toBeCloseTo(2, 12); // alpha / 4 -> alpha / 8
    // The gradient w.r.t. the kept columns of B is 1 / c of what it was (a fact of the model, checked here) ...
    const { grads: g1 } = lossAndGradients(model, trainable, { x, y });
    const gradB1 = (await g1[nameB].array()) as number[][];
    tf.dispose(Object.values(g1));
    expect(relativeError(gradB1.flatMap((row) => row.slice(0, 4)), gradB0.flat().map((v) => v / c))).toBeLessThan(1e-5);
    expect(gradB1.flatMap((row) => row.slice(4)).some((v) => v !== 0)).toBe(true);
    // ... so the kept moments are divided by c (first) and c^2 (second); new columns start at zero.
    for (const [key, powerOfC] of [[nameB, -1], [`${nameB}#m`, -1], [`${nameB}#v`, -2]] as const) {
      if (!before.has(key)) continue;
      const now = slots(opt).get(key)!.arraySync() as number[][];
      expect(relativeError(now.flatMap((row) => row.slice(0, 4)), before.get(key)!.flat().map((v) => v * c ** powerOfC)), key).toBeLessThan(1e-6);
      expect(now.flatMap((row) => row.slice(4)).every((v) => v === 0), key).toBe(true);
    }
    // A's kept rows are unchanged (gradient and moments keep their units); the fresh rows start at zero state.
    const nameA = 'blocks.1.attn.qkv.lora_A.v';
    const keyA = slots(opt).has(`${nameA}#m`) ? `${nameA}#m` : nameA;
    const stateA = slots(opt).get(keyA)!.arraySync() as number[][];
    expect(stateA.slice(0, 4)).toEqual(before.get(keyA));
    expect(stateA.slice(4).flat().every((v) => v === 0)).toBe(true);
    // and training goes on
    const loss = trainStep(model, trainable, opt, { x, y }, 1e-3);
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    loss.dispose();
    opt.dispose();
    dispose();
  });

  it('AdamW: shrink r 4 -> 2 restarts the adapter state, keeps the rest, and training goes on', async () => {
    const { model, x, y, dispose } = setup();
    const opt = newAdamW();
    trainStep(model, trainableVariables(model, 'lora'), opt, { x, y }, 1e-3).dispose();
    const headM = slots(opt).get('head.weight#m')!.arraySync();
    opt.remap(await model.lora!.resize(2, 5));
    const trainable = trainableVariables(model, 'lora');
    for (const key of slots(opt).keys()) expect(key.startsWith('head.') || key.startsWith('fc_norm.'), key).toBe(true);
    expect(slots(opt).get('head.weight#m')!.arraySync()).toEqual(headM);
    const before = tf.memory().numTensors;
    const loss = trainStep(model, trainable, opt, { x, y }, 1e-3);
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    loss.dispose();
    for (const name of trainable.keys()) expect(slots(opt).has(`${name}#m`), name).toBe(true);
    // the new state slots are the only new tensors: 2 moments for each of the re-created adapter tensors
    expect(tf.memory().numTensors - before).toBe(2 * model.lora!.tensors.size);
    opt.dispose();
    dispose();
  });

  it.each([['AdamW', newAdamW], ['SGD', newSgd]] as const)('%s: the tensor count stays flat from step to step', (_n, make) => {
    const { model, x, y, dispose } = setup();
    const opt = make();
    const trainable = trainableVariables(model, 'lora');
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      trainStep(model, trainable, opt, { x, y }, 1e-3).dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    opt.dispose();
    dispose();
  });
});
