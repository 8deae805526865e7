import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCachedBackbones } from '../../src/storage/backbones';
import { CheckpointError, loadBackbone, loadCachedBackbone, openCheckpoint, planCheckpoint, type LoadProgress } from '../../src/io/checkpoint';
import { resamplePosEmbed } from '../../src/io/posEmbed';
import { writeSafetensors } from '../../src/formats/safetensors';
import { VitModel } from '../../src/model/vit';
import { fixtureBlob, fixtureTensors, golden, inputs, relativeError } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function logitsOf(cfgParams: { cfg: VitModel['cfg']; params: Map<string, tf.Tensor> }, input: 'inputs' | 'inputs48') {
  const model = new VitModel(cfgParams.cfg, cfgParams.params);
  const x = await inputs(input);
  const y = model.forward(x);
  const out = (await y.array()) as number[][];
  tf.dispose([x, y]);
  model.dispose();
  return out;
}

describe('loadBackbone reproduces the PyTorch reference logits', () => {
  const cases: [string, { numHeads?: number }][] = [
    ['vit_small.safetensors', {}], // heads from the file's metadata
    ['vit_small.pth', { numHeads: 2 }],
    ['vit_small_module_prefix.pth', { numHeads: 2 }],
  ];
  for (const [file, hint] of cases) {
    it(file, async () => {
      const loaded = await loadBackbone(await fixtureBlob(file), { numClasses: 3, keepClassifier: true, ...hint }, undefined, { cache: false });
      expect(loaded.cfg).toEqual(golden.config);
      expect(loaded.summary.missing).toEqual([]);
      expect(loaded.summary.newlyInitialised).toEqual([]);
      expect(relativeError(await logitsOf(loaded, 'inputs'), golden.logits)).toBeLessThan(1e-5);
    });
  }

  it('at 48 px, with pos_embed resampled bicubically as MAE does', async () => {
    const loaded = await loadBackbone(await fixtureBlob('vit_small.safetensors'), { numClasses: 3, imgSize: 48, keepClassifier: true }, undefined, { cache: false });
    expect(loaded.summary.posEmbedResampled).toEqual({ from: [4, 4], to: [6, 6] });
    expect(relativeError(await logitsOf(loaded, 'inputs48'), golden.logits48)).toBeLessThan(1e-5);
  });
});

describe('streaming', () => {
  for (const file of ['vit_small.safetensors', 'vit_small.pth']) {
    it(`${file}: after the header, no read is larger than the largest tensor`, async () => {
      const real = await fixtureBlob(file);
      const reads: number[] = [];
      const spy = { size: real.size, slice: (a?: number, b?: number) => (reads.push((b ?? real.size) - (a ?? 0)), real.slice(a, b)) } as unknown as Blob;
      const reader = await openCheckpoint(spy);
      reads.length = 0;
      let largest = 0;
      for (const t of reader.tensors) {
        largest = Math.max(largest, t.shape.reduce((x, y) => x * y, 1) * 4);
        await reader.read(t.name);
      }
      expect(Math.max(...reads)).toBeLessThanOrEqual(largest);
    });
  }
});

describe('checkpoint filter', () => {
  it('strips prefixes, lists ignored keys with reasons and reports fc_norm / head as new', async () => {
    const reader = await openCheckpoint(await fixtureBlob('vit_small_module_prefix.pth'));
    const plan = planCheckpoint(reader.tensors, { numClasses: 5 });
    expect(plan.summary.errors).toEqual([]);
    expect(plan.cfg.numHeads).toBe(1); // width 32 / 64, rounded up to one head: the hint is needed here
    expect(plan.summary.numHeadsFrom).toBe('width/64');
    expect(plan.sources.get('blocks.0.attn.qkv.weight')).toBe('module.blocks.0.attn.qkv.weight');
    const ignored = Object.fromEntries(plan.summary.ignored.map((i) => [i.name, i.reason]));
    expect(ignored['module.decoder_embed.weight']).toMatch(/decoder/);
    expect(ignored['module.mask_token']).toMatch(/mask token/);
    expect(ignored['module.norm.weight']).toMatch(/fc_norm/);
    expect(ignored['module.head.weight']).toMatch(/classifier/);
    expect(plan.summary.newlyInitialised.sort()).toEqual(['fc_norm.bias', 'fc_norm.weight', 'head.bias', 'head.weight']);
    expect(plan.summary.loaded).toHaveLength(4 + 12 * 2);
  });

  it('reports shape mismatches as errors and refuses to load', async () => {
    const tensors = await fixtureTensors('vit_small.safetensors');
    tensors.set('blocks.1.attn.proj.weight', { shape: [32, 16], data: new Float32Array(512) });
    const bad = new Blob([await writeSafetensors(tensors)]);
    const error = await loadBackbone(bad, { numClasses: 3, numHeads: 2 }, undefined, { cache: false }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toMatch(/blocks\.1\.attn\.proj\.weight has shape \[32,16\], the model needs \[32,32\]/);
  });

  it('initialises missing backbone tensors and lists them', async () => {
    const tensors = await fixtureTensors('vit_small.safetensors');
    tensors.delete('blocks.1.norm2.bias');
    const partial = new Blob([await writeSafetensors(tensors, { vitConfig: JSON.stringify({ numHeads: 2 }) })]);
    const loaded = await loadBackbone(partial, { numClasses: 3 }, undefined, { cache: false });
    expect(loaded.summary.missing).toEqual(['blocks.1.norm2.bias']);
    expect(loaded.params.get('blocks.1.norm2.bias')!.shape).toEqual([32]);
    tf.dispose([...loaded.params.values()]);
  });

  it('rejects what is not a ViT', async () => {
    const other = new Blob([await writeSafetensors(new Map([['conv1.weight', new Float32Array(4)]]))]);
    await expect(loadBackbone(other, { numClasses: 2 }, undefined, { cache: false })).rejects.toThrow(/not a ViT checkpoint/);
  });
});

describe('pos_embed resampling', () => {
  it('matches torch bicubic (align_corners=False) up and down', async () => {
    const ref = await fixtureTensors('inputs.safetensors');
    const pos = (await fixtureTensors('vit_small.safetensors')).get('pos_embed')!;
    for (const [grid, key] of [[6, 'pos_embed_6'], [3, 'pos_embed_3']] as const) {
      const got = resamplePosEmbed(pos.data, [4, 4], [grid, grid], 32);
      const want = ref.get(key)!.data;
      const worst = want.reduce((w, v, i) => Math.max(w, Math.abs(got[i] - v)), 0);
      expect(worst, key).toBeLessThan(1e-6);
    }
  });
});

describe('IndexedDB cache', () => {
  it('keeps a loaded backbone so that a reload needs no file, with progress reported per tensor', async () => {
    const file = await fixtureBlob('vit_small.pth');
    const progress: LoadProgress[] = [];
    const first = await loadBackbone(file, { numClasses: 3, numHeads: 2 }, (p) => progress.push(p));
    expect(first.cacheId).not.toBeNull();
    expect(progress.at(-1)!.tensorsDone).toBe(progress.at(-1)!.tensorsTotal);
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);
    expect(progress.map((p) => p.tensorsDone)).toEqual(progress.map((_, i) => i + 1));
    expect((await listCachedBackbones()).map((b) => b.fileName)).toContain('vit_small.pth');

    const again = await loadCachedBackbone({ numClasses: 3, imgSize: 48 });
    expect(again).not.toBeNull();
    expect(again!.summary.fromCache).toBe(true);
    expect(again!.cfg.numHeads).toBe(2); // the decision made at first load travels with the cache
    expect(again!.summary.posEmbedResampled).toEqual({ from: [4, 4], to: [6, 6] });
    const reference = await fixtureTensors('vit_small.safetensors');
    expect(await again!.params.get('blocks.1.mlp.fc1.weight')!.data()).toEqual(reference.get('blocks.1.mlp.fc1.weight')!.data);
    tf.dispose([...first.params.values(), ...again!.params.values()]);
  });
});
