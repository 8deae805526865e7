import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../src/io/checkpoint';
import { exportMergedModel } from '../../src/io/mergedExport';
import { applyImportedAdapter, exportPeftAdapter, importPeftAdapter, unzipPeftAdapter, zipPeftAdapter } from '../../src/io/peft';
import { fuseQkv, splitQkv } from '../../src/io/peftMapping';
import type { HostTensor } from '../../src/formats/safetensors';
import { LoraAdapter } from '../../src/model/lora';
import { VitModel } from '../../src/model/vit';
import { fixtureBlob, fixtureBytes, fixtureTensors, golden, inputs, relativeError } from './helpers';
import type { LoraConfig } from '../../src/run/loraConfig';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function baseModel(): Promise<VitModel> {
  const loaded = await loadBackbone(await fixtureBlob('vit_small.safetensors'), { numClasses: 3, keepClassifier: true }, undefined, { cache: false });
  return new VitModel(loaded.cfg, loaded.params);
}

async function logits(model: VitModel): Promise<number[][]> {
  const x = await inputs('inputs');
  const y = model.forward(x);
  const out = (await y.array()) as number[][];
  tf.dispose([x, y]);
  return out;
}

/** The golden adapter written in the lab's own terms (per-part A/B + new fc_norm/head) put on the model. */
async function withLabAdapter(model: VitModel, file: string, config: LoraConfig): Promise<void> {
  const t = await fixtureTensors(file);
  const lora = new Map<string, tf.Tensor>();
  for (const [name, v] of t) {
    if (name.includes('lora_')) lora.set(name, tf.tensor(v.data, v.shape));
    else model.p(name).assign(tf.tensor(v.data, v.shape));
  }
  model.lora = LoraAdapter.fromTensors(model.cfg, config, lora);
}

async function importFolder(folder: string, model: VitModel) {
  return importPeftAdapter(
    new TextDecoder().decode(fixtureBytes(`${folder}/adapter_config.json`)),
    await fixtureBlob(`${folder}/adapter_model.safetensors`),
    model.cfg,
  );
}

describe('PEFT adapter export', () => {
  it('writes the same adapter_config.json and adapter_model.safetensors bytes as the Python reference', async () => {
    const model = await baseModel();
    await withLabAdapter(model, 'lab_lora.safetensors', golden.loraConfig);
    const files = await exportPeftAdapter(model, 'golden/vit_small');
    expect(files.configJson).toBe(new TextDecoder().decode(fixtureBytes('peft_adapter/adapter_config.json')));
    expect(Buffer.from(files.safetensors).equals(Buffer.from(fixtureBytes('peft_adapter/adapter_model.safetensors')))).toBe(true);
    expect(files.config).toMatchObject({ r: 8, lora_alpha: 24, target_modules: ['blocks.0.attn.qkv', 'blocks.1.attn.qkv'] });
    // and the lab's own forward with the adapter gives the logits of PEFT's merge rule in PyTorch
    expect(relativeError(await logits(model), golden.logitsPeftMerged)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('keeps PEFT scaling equal to the lab scaling under rsLoRA (alpha\' = sqrt(2) alpha)', async () => {
    const model = await baseModel();
    const t = await fixtureTensors('peft_rslora/adapter_model.safetensors');
    expect(t.get('base_model.model.blocks.0.attn.qkv.lora_A.weight')!.shape).toEqual([4, 32]);
    const imported = await importFolder('peft_rslora', model);
    expect(imported.loraConfig).toMatchObject({ r: 2, lora_alpha: 5, use_rslora: true });
    applyImportedAdapter(model, imported);
    const files = await exportPeftAdapter(model, 'golden/vit_small');
    expect(files.configJson).toBe(new TextDecoder().decode(fixtureBytes('peft_rslora/adapter_config.json')));
    expect(Buffer.from(files.safetensors).equals(Buffer.from(fixtureBytes('peft_rslora/adapter_model.safetensors')))).toBe(true);
    expect(relativeError(await logits(model), golden.logitsRsLoraMerged)).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('PEFT adapter import', () => {
  it('an adapter in PEFT format, applied by the lab, gives the PyTorch PEFT-merged logits (unmerged and merged)', async () => {
    const model = await baseModel();
    const imported = await importFolder('peft_adapter', model);
    expect(imported.loraConfig).toEqual({ ...golden.loraConfig });
    applyImportedAdapter(model, imported);
    expect(relativeError(await logits(model), golden.logitsPeftMerged)).toBeLessThan(1e-5);
    await model.mergeLora();
    expect(relativeError(await logits(model), golden.logitsPeftMerged)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('takes a dense PEFT-trained adapter (no block layout, K rows zero) exactly, with rank R per part', async () => {
    const model = await baseModel();
    const imported = await importFolder('peft_dense', model);
    expect(imported.loraConfig).toMatchObject({ r: 6, lora_alpha: 9, targets: { qkv: ['q', 'v'] } });
    applyImportedAdapter(model, imported);
    expect(relativeError(await logits(model), golden.logitsDenseMerged)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('rejects an adapter that changes the K rows when K is not a target', async () => {
    const model = await baseModel();
    await expect(importFolder('peft_k_rows', model)).rejects.toThrow(/blocks\.1\.attn\.qkv: the adapter changes the K rows/);
    model.dispose();
  });

  it('round-trips through the zip, including targets beyond qkv (rank_pattern / alpha_pattern)', async () => {
    const model = await baseModel();
    const config: LoraConfig = { r: 3, lora_alpha: 7, lora_dropout: 0, use_rslora: false, targets: { qkv: ['q', 'k', 'v'], proj: true, fc1: false, fc2: true } };
    model.lora = LoraAdapter.create(model.cfg, config, 5);
    for (const [name, v] of model.lora.tensors) if (name.includes('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 9));
    const before = await logits(model);
    const files = await exportPeftAdapter(model, null);
    expect(files.config.r).toBe(3);
    expect(files.config.rank_pattern['blocks.0.attn.qkv']).toBe(9);
    expect(files.config.alpha_pattern['blocks.0.attn.qkv']).toBe(21);
    const zip = zipPeftAdapter(files, 'run 7/demo');
    expect(zip.fileName).toBe('run_7_demo-adapter.zip');
    const unzipped = unzipPeftAdapter(zip.bytes);
    const fresh = await baseModel();
    applyImportedAdapter(fresh, await importPeftAdapter(unzipped.configJson, unzipped.safetensors, fresh.cfg));
    expect(fresh.lora!.config).toEqual(config);
    expect(relativeError(await logits(fresh), before)).toBeLessThan(1e-6);
    model.dispose();
    fresh.dispose();
  });
});

describe('fused qkv mapping', () => {
  it('split inverts fuse exactly for one, two and three parts', () => {
    const rand = (shape: number[]): HostTensor => ({ shape, data: Float32Array.from({ length: shape[0] * shape[1] }, (_, i) => Math.sin(i * 1.7 + shape[0])) });
    for (const parts of [['v'], ['q', 'v'], ['q', 'k', 'v']] as ('q' | 'k' | 'v')[][]) {
      const pairs = new Map(parts.map((p) => [p, { a: rand([2, 4]), b: rand([4, 2]) }]));
      const fused = fuseQkv(pairs, 4);
      const split = splitQkv(fused.a, fused.b, parts, 4, 'm');
      expect(split.r).toBe(2);
      expect(split.rankFactor).toBe(parts.length);
      for (const p of parts) expect(split.pairs.get(p)).toEqual(pairs.get(p));
    }
  });
});

describe('merged model export', () => {
  it('folds the adapter into timm-named weights that reload to the same logits', async () => {
    const model = await baseModel();
    applyImportedAdapter(model, await importFolder('peft_adapter', model));
    const { fileName, bytes } = await exportMergedModel(model, { runName: 'golden run' });
    expect(fileName).toBe('golden_run-merged.safetensors');
    expect(model.merged).toBe(false);
    const reloaded = await loadBackbone(new Blob([bytes]), { numClasses: 3, keepClassifier: true }, undefined, { cache: false });
    expect(reloaded.summary.loaded).toHaveLength(reloaded.params.size);
    const merged = new VitModel(reloaded.cfg, reloaded.params);
    expect(relativeError(await logits(merged), golden.logitsPeftMerged)).toBeLessThan(1e-5);
    model.dispose();
    merged.dispose();
  });
});
