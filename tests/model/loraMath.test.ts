/**
 * LoRA math, table-driven over the PyTorch goldens (as HF PEFT's tests run every case through the same checks):
 * B = 0 is the base model; merging gives PyTorch's W + scaling B A and the unmerged logits; unmerging restores
 * W; growing the rank keeps the output; shrinking keeps the best rank-k approximation (Eckart–Young, with
 * torch.linalg.svd's singular values); alpha rescales the update.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LoraAdapter } from '../../src/model/lora';
import { goldenTensor, goldenValues, modelFromGolden, relativeError } from '../../src/train/selfCheck';
import { FORWARD_FIXTURES, loadForward, type ForwardGolden } from './goldenFixtures';
import { loraScaling } from '../../src/run/loraConfig';
import { loraTensorName } from '../../src/run/paramShapes';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function logitsOf(g: ForwardGolden, model: ReturnType<typeof modelFromGolden>, training = false): Promise<Float32Array> {
  const x = goldenTensor(g.input) as tf.Tensor4D;
  const y = model.forward(x, { training });
  const out = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return out;
}

/** scaling * B A of every site in float64, keyed by the lora_B name. */
async function updates(lora: LoraAdapter): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const site of lora.sites) {
    const [b, a] = [await lora.b(site).data(), await lora.a(site).data()];
    const r = lora.r;
    const m = new Float64Array(site.outFeatures * site.inFeatures);
    for (let i = 0; i < site.outFeatures; i++)
      for (let k = 0; k < r; k++) for (let j = 0; j < site.inFeatures; j++) m[i * site.inFeatures + j] += lora.scaling * b[i * r + k] * a[k * site.inFeatures + j];
    out.set(loraTensorName(site, 'lora_B'), m);
  }
  return out;
}

const frobenius = (a: ArrayLike<number>, b?: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
};

describe.each(FORWARD_FIXTURES)('LoRA math on %s', (fixture) => {
  const g = loadForward(fixture);

  it('B = 0 leaves the base model exactly, also in training mode (dropout acts on the adapter input only)', async () => {
    const base = modelFromGolden(g, false);
    const adapted = modelFromGolden(g, true);
    const lora = adapted.lora!;
    lora.config = { ...lora.config, lora_dropout: 0.5 };
    for (const site of lora.sites) tf.tidy(() => lora.b(site).assign(tf.zerosLike(lora.b(site))));
    const baseLogits = await logitsOf(g, base);
    expect(Array.from(await logitsOf(g, adapted))).toEqual(Array.from(baseLogits));
    expect(Array.from(await logitsOf(g, adapted, true))).toEqual(Array.from(baseLogits));
    if (g.results.fft) expect(relativeError(baseLogits, goldenValues(g.results.fft.logits))).toBeLessThan(1e-5);
    base.dispose();
    adapted.dispose();
  });

  it('merge gives PyTorch merged weights and the unmerged logits; unmerge restores the weights', async () => {
    const model = modelFromGolden(g, true);
    const unmerged = await logitsOf(g, model);
    await model.mergeLora();
    expect(model.merged).toBe(true);
    expect(Object.keys(g.merged).sort()).toEqual(model.lora!.modules().map((m) => `${m}.weight`).sort());
    for (const [name, t] of Object.entries(g.merged)) {
      expect(relativeError(await model.p(name).data(), goldenValues(t)), name).toBeLessThan(1e-6);
    }
    const merged = await logitsOf(g, model);
    expect(relativeError(merged, unmerged)).toBeLessThan(1e-5);
    expect(relativeError(merged, goldenValues(g.results.lora!.logits))).toBeLessThan(1e-5);
    model.unmergeLora();
    for (const name of Object.keys(g.merged)) {
      expect(relativeError(await model.p(name).data(), goldenValues(g.weights[name])), name).toBeLessThan(1e-6);
    }
    expect(relativeError(await logitsOf(g, model), unmerged)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('growing the rank keeps the output within 1e-6 and the update itself', async () => {
    const model = modelFromGolden(g, true);
    const before = await logitsOf(g, model);
    const updBefore = await updates(model.lora!);
    const r = model.lora!.r;
    await model.lora!.resize(r + 3, 99);
    expect(model.lora!.r).toBe(r + 3);
    expect(relativeError(await logitsOf(g, model), before)).toBeLessThan(1e-6);
    for (const [name, u] of await updates(model.lora!)) expect(relativeError(u, updBefore.get(name)!), name).toBeLessThan(1e-6);
    for (const site of model.lora!.sites) {
      const a = (await model.lora!.a(site).array()) as number[][];
      expect(a.slice(r).flat().some((v) => v !== 0)).toBe(true); // fresh rows of A: trainable directions
    }
    model.dispose();
  });

  it.each([1, 2])('shrinking by %i keeps the best approximation: the error is the tail of torch.linalg.svd', async (drop) => {
    const model = modelFromGolden(g, true);
    const k = model.lora!.r - drop;
    const before = await updates(model.lora!);
    for (const [name, u] of before) {
      // our float32 adapter's update has PyTorch's Frobenius norm: sqrt(sum sigma^2)
      expect(frobenius(u) / Math.hypot(...g.loraSingularValues[name]), name).toBeCloseTo(1, 6);
    }
    await model.lora!.resize(k, 5);
    expect(model.lora!.r).toBe(k);
    for (const [name, u] of await updates(model.lora!)) {
      const sigma = g.loraSingularValues[name];
      const tail = Math.hypot(...sigma.slice(k));
      expect(Math.abs(frobenius(u, before.get(name)!) - tail) / sigma[0], name).toBeLessThan(1e-5);
    }
    for (const site of model.lora!.sites) {
      // A' = V_k^T: orthonormal rows
      const a = (await model.lora!.a(site).array()) as number[][];
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        const dot = a[i].reduce((s, v, c) => s + v * a[j][c], 0);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    }
    model.dispose();
  });

  it('alpha rescales the update, the learned tensors stay', async () => {
    const model = modelFromGolden(g, true);
    const module = model.lora!.modules()[0];
    const outTotal = model.p(`${module}.weight`).shape[0];
    const d1 = model.lora!.deltaWeight(module, outTotal);
    const aBefore = await model.lora!.a(model.lora!.sites[0]).data();
    model.lora!.setAlpha(g.lora.lora_alpha * 2);
    const d2 = model.lora!.deltaWeight(module, outTotal);
    expect(relativeError(await d2.data(), Array.from(await d1.data(), (v) => 2 * v))).toBeLessThan(1e-7);
    expect(Array.from(await model.lora!.a(model.lora!.sites[0]).data())).toEqual(Array.from(aBefore));
    const variant = g.variants.find((v) => v.lora.lora_alpha === g.lora.lora_alpha * 2 && v.lora.use_rslora === g.lora.use_rslora);
    if (variant) expect(relativeError(await logitsOf(g, model), goldenValues(variant.logits))).toBeLessThan(1e-5);
    tf.dispose([d1, d2]);
    model.dispose();
  });
});

describe('LoRA scaling', () => {
  it.each([
    [8, 32, false, 4],
    [4, 12, false, 3],
    [4, 6, true, 3],
    [16, 32, true, 8],
    [3, 5, true, 5 / Math.sqrt(3)],
  ])('r=%i alpha=%i rsLoRA=%s -> %f', (r, lora_alpha, use_rslora, expected) => {
    expect(loraScaling({ r, lora_alpha, use_rslora })).toBeCloseTo(expected, 12);
  });
});
