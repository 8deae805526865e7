/**
 * Saliency maps against the real timm VisionTransformer (+ HF PEFT LoRA) in float64 (scripts/golden_saliency.py):
 * input gradients and gradient x input within 1e-4, attention rollout within 1e-5, SmoothGrad with the lab's seeded
 * noise within 1e-4 (errors: max |actual - expected| / max |expected|), for a plain model and a LoRA model with
 * non-zero B, on two real radiographs as the lab feeds them (8-bit grayscale, preprocess, one channel replicated).
 * Also: SmoothGrad's reductions and determinism, the attention option of the forward pass, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenValues } from '../../src/train/selfCheck';
import { VitModel } from '../../src/model/vit';
import { attentionRollout, batchGradientTimesInput, gradientTimesInput, seededNormals, smoothGrad } from '../../src/model/saliency';
import { buildGoldenModel, goldenImages, GRAD_TOL, imageOf, maxRelError, ROLLOUT_TOL, saliencyGolden as g } from './saliencyGolden';

const models: Record<'plain' | 'lora', VitModel> = {} as never;
let x: tf.Tensor4D; // [2, 1, 64, 64]
let images: tf.Tensor4D[]; // each [1, 1, 64, 64]

beforeAll(async () => {
  await tf.setBackend('cpu');
  models.plain = buildGoldenModel(false);
  models.lora = buildGoldenModel(true);
  x = goldenImages();
  images = [0, 1].map((b) => tf.slice(x, b, 1));
});

afterAll(() => {
  tf.dispose([x, ...images]);
  models.plain.dispose();
  models.lora.dispose();
});

describe('the golden model', () => {
  it('is rebuilt from its seed with the same float32 weights as PyTorch', async () => {
    const model = models.plain;
    expect(Object.keys(g.weightChecks).sort()).toEqual([...model.params.keys()].sort());
    for (const [name, [first, sum]] of Object.entries(g.weightChecks)) {
      const values = Array.from(await model.p(name).data());
      expect(values[0], name).toBe(first);
      expect(Math.abs(values.reduce((s, v) => s + v, 0) - sum), name).toBeLessThan(1e-9 * Math.max(1, Math.abs(sum)));
    }
  });

  it.each(['plain', 'lora'] as const)('%s: logits equal timm (+ PEFT) within 1e-5', async (key) => {
    const logits = models[key].forward(x);
    expect(maxRelError(await logits.data(), goldenValues(g.results[key].logits))).toBeLessThan(1e-5);
    logits.dispose();
  });
});

describe.each(['plain', 'lora'] as const)('%s model against PyTorch', (key) => {
  const r = g.results[key];

  it.each([0, 1])('image %i: the input gradient equals x.grad', async (b) => {
    const s = gradientTimesInput(models[key], images[b], r.label);
    expect(s.gradient.shape).toEqual([1, 1, 64, 64]);
    expect(maxRelError(await s.gradient.data(), imageOf(r.inputGradient, b))).toBeLessThan(GRAD_TOL);
    tf.dispose([s.map, s.signed, s.gradient]);
  });

  it('both images in one batch give each image its own gradient', async () => {
    const { gradient, signed } = batchGradientTimesInput(models[key], x, r.label);
    expect(maxRelError(await gradient.data(), goldenValues(r.inputGradient))).toBeLessThan(GRAD_TOL);
    tf.dispose([gradient, signed]);
  });

  it('attention rollout on the patch grid equals the rollout of timm\'s attention', async () => {
    for (const b of [0, 1]) {
      const { grid, map } = attentionRollout(models[key], images[b]);
      expect(grid.shape).toEqual([4, 4]);
      expect(map.shape).toEqual([64, 64]);
      expect(maxRelError(await grid.data(), imageOf(r.rolloutGrid, b))).toBeLessThan(ROLLOUT_TOL);
      if (r.rolloutMap) expect(maxRelError(await map.data(), imageOf(r.rolloutMap, b))).toBeLessThan(ROLLOUT_TOL);
      tf.dispose([grid, map]);
    }
  });
});

describe('gradient x input', () => {
  it('signed map = sum over timm\'s three channels of x * x.grad; map = its absolute value', async () => {
    const expected = g.results.plain.gradTimesInput!;
    for (const b of [0, 1]) {
      const s = gradientTimesInput(models.plain, images[b], g.results.plain.label);
      const want = imageOf(expected, b);
      expect(maxRelError(await s.signed.data(), want)).toBeLessThan(GRAD_TOL);
      expect(maxRelError(await s.map.data(), want.map(Math.abs))).toBeLessThan(GRAD_TOL);
      tf.dispose([s.map, s.signed, s.gradient]);
    }
  });

  it('a 3-channel copy of the gray image gives the same map (the conv with the channel-summed kernel)', async () => {
    const rgb = tf.tile(images[0], [1, 3, 1, 1]) as tf.Tensor4D;
    const gray = gradientTimesInput(models.lora, images[0], 1);
    const three = gradientTimesInput(models.lora, rgb, 1);
    expect(three.gradient.shape).toEqual([1, 3, 64, 64]);
    expect(maxRelError(await three.signed.data(), await gray.signed.data())).toBeLessThan(1e-5);
    tf.dispose([rgb, gray.map, gray.signed, gray.gradient, three.map, three.signed, three.gradient]);
  });

  it('refuses a batch and a label outside the head', () => {
    expect(() => gradientTimesInput(models.plain, x, 0)).toThrow(/one image/);
    expect(() => gradientTimesInput(models.plain, images[0], 3)).toThrow(/label index/);
  });
});

describe('SmoothGrad', () => {
  const sg = g.smoothGrad;

  it('with the lab\'s seeded noise equals PyTorch\'s mean over the same noisy copies', async () => {
    const s = smoothGrad(models.lora, images[sg.image], sg.label, { samples: sg.samples, noiseStd: sg.noiseStd, seed: sg.seed });
    expect(maxRelError(await s.signed.data(), goldenValues(sg.map))).toBeLessThan(GRAD_TOL);
    tf.dispose([s.map, s.signed]);
  });

  it('one sample without noise is gradient x input', async () => {
    const s = smoothGrad(models.lora, images[1], 2, { samples: 1, noiseStd: 0, seed: 3 });
    const ref = gradientTimesInput(models.lora, images[1], 2);
    expect(await s.map.data()).toEqual(await ref.map.data());
    expect(await s.signed.data()).toEqual(await ref.signed.data());
    tf.dispose([s.map, s.signed, ref.map, ref.signed, ref.gradient]);
  });

  it('is deterministic for a seed, changes with the seed, and does not depend on the batch size', async () => {
    const run = async (seed: number, batchSize: number) => {
      const s = smoothGrad(models.plain, images[0], 1, { samples: 5, noiseStd: 0.2, seed, batchSize });
      const values = await s.signed.data();
      tf.dispose([s.map, s.signed]);
      return values;
    };
    const a = await run(11, 2);
    expect(await run(11, 2)).toEqual(a);
    expect(maxRelError(await run(11, 5), a)).toBeLessThan(1e-5);
    expect(maxRelError(await run(12, 2), a)).toBeGreaterThan(1e-2);
  });

  it('draws standard normals: one stream however it is chunked, mean ~0 and variance ~1', () => {
    const whole = seededNormals(5)(new Float32Array(20001));
    const next = seededNormals(5);
    const parts = [...next(new Float32Array(7)), ...next(new Float32Array(13994)), ...next(new Float32Array(6000))];
    expect(Float32Array.from(parts)).toEqual(whole);
    const mean = whole.reduce((s, v) => s + v, 0) / whole.length;
    const variance = whole.reduce((s, v) => s + (v - mean) ** 2, 0) / whole.length;
    // 20,001 draws: the standard error of the mean is 0.007, of the variance 0.01
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('refuses settings it cannot use', () => {
    expect(() => smoothGrad(models.plain, images[0], 0, { samples: 0, noiseStd: 0.1, seed: 1 })).toThrow(/samples/);
    expect(() => smoothGrad(models.plain, images[0], 0, { samples: 2, noiseStd: -1, seed: 1 })).toThrow(/noiseStd/);
    expect(() => smoothGrad(models.plain, images[0], 0, { samples: 2, noiseStd: 0.1, seed: 1, batchSize: 0 })).toThrow(/batchSize/);
  });
});

describe('forward with attention', () => {
  it('gives the plain forward\'s logits and one [B, heads, T, T] row-stochastic matrix per block', async () => {
    const plain = models.lora.forward(x);
    const { logits, attention } = models.lora.forwardWithAttention(x);
    expect(await logits.data()).toEqual(await plain.data());
    expect(attention).toHaveLength(g.config.depth);
    for (const a of attention) {
      expect(a.shape).toEqual([2, g.config.numHeads, 17, 17]);
      const rowSums = tf.sum(a, -1);
      expect(maxRelError(await rowSums.data(), new Float32Array(2 * 2 * 17).fill(1))).toBeLessThan(1e-6);
      rowSums.dispose();
    }
    tf.dispose([plain, logits, ...attention]);
  });
});

describe('tensor hygiene', () => {
  const calls: [string, () => tf.Tensor[]][] = [
    ['gradientTimesInput', () => Object.values(gradientTimesInput(models.lora, images[0], 0))],
    ['smoothGrad', () => Object.values(smoothGrad(models.lora, images[0], 0, { samples: 3, noiseStd: 0.1, seed: 1, batchSize: 2 }))],
    ['attentionRollout', () => Object.values(attentionRollout(models.lora, images[0]))],
    ['forwardWithAttention', () => { const r = models.lora.forwardWithAttention(x); return [r.logits, ...r.attention]; }],
  ];

  it.each(calls)('%s: the tensor count is the same before and after 5 calls', (_name, call) => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) call().forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
