/** Pieces the goldens cannot pin down (randomness, ownership): drop-path, patchify order, tensor hygiene. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropPath, patchify } from '../../src/model/layers';
import { LoraAdapter } from '../../src/model/lora';
import { goldenTensor, modelFromGolden } from '../../src/train/selfCheck';
import { loadForward } from './goldenFixtures';
import { STUDY_LORA } from '../../src/run/loraConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('drop-path (stochastic depth, timm drop_path)', () => {
  it('zeroes whole samples and rescales the kept ones by 1 / (1 - p)', async () => {
    const x = tf.ones([4000, 3, 2]);
    const y = dropPath(x, 0.25);
    const rows = (await y.array()) as number[][][];
    let kept = 0;
    for (const r of rows) {
      const flat = r.flat();
      expect(flat.every((v) => v === flat[0])).toBe(true);
      expect([0, 1 / 0.75]).toContainEqual(expect.closeTo(flat[0], 6));
      if (flat[0] !== 0) kept++;
    }
    // keep rate 0.75: 4000 draws, 5 sigma ~ 0.034
    expect(Math.abs(kept / 4000 - 0.75)).toBeLessThan(0.035);
    tf.dispose([x, y]);
  });

  it('is the identity at rate 0', () => {
    const x = tf.ones([2, 3]);
    expect(dropPath(x, 0)).toBe(x);
    x.dispose();
  });
});

describe('patchify', () => {
  it('orders each patch as a PyTorch conv kernel [C, P, P], patches row-major', async () => {
    // x[b, c, h, w] = 1000 b + 100 c + 10 h + w, 2 channels, 4x4 image, patch 2
    const values = Array.from({ length: 2 * 2 * 4 * 4 }, (_, i) => {
      const [b, c, h, w] = [Math.floor(i / 32), Math.floor(i / 16) % 2, Math.floor(i / 4) % 4, i % 4];
      return 1000 * b + 100 * c + 10 * h + w;
    });
    const x = tf.tensor4d(values, [2, 2, 4, 4]);
    const p = (await patchify(x, 2).array()) as number[][];
    expect(p.length).toBe(8);
    // sample 1, patch (row 1, col 0): h in {2, 3}, w in {0, 1}
    expect(p[4 + 2]).toEqual([1020, 1021, 1030, 1031, 1120, 1121, 1130, 1131]);
    x.dispose();
  });
});

describe('tensor hygiene', () => {
  it('LoraAdapter.fromTensors takes ownership: nothing is left after dispose', () => {
    const g = loadForward('vit_rgb_lora_k_rslora');
    const before = tf.memory().numTensors;
    const tensors = new Map(Object.entries(g.loraTensors).map(([k, t]) => [k, goldenTensor(t)]));
    const adapter = LoraAdapter.fromTensors(g.config, g.lora, tensors);
    expect(tf.memory().numTensors - before).toBe(tensors.size);
    adapter.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('create, resize both ways, merge, unmerge and dispose leave no tensors', async () => {
    const g = loadForward('vit_gray_lora_qv');
    const before = tf.memory().numTensors;
    const model = modelFromGolden(g, false);
    model.lora = LoraAdapter.create(g.config, { ...STUDY_LORA, r: 4 }, 1);
    const x = goldenTensor(g.input) as tf.Tensor4D;
    const afterSetup = tf.memory().numTensors;
    await model.lora.resize(8, 2);
    await model.lora.resize(3, 3);
    await model.mergeLora();
    model.unmergeLora();
    model.forward(x).dispose();
    expect(tf.memory().numTensors).toBe(afterSetup);
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
