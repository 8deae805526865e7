import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, beforeAll } from 'vitest';
import { makeVitConfig, STUDY_LORA } from '../../src/model/config';
import { initVitParams } from '../../src/model/init';
import { VitModel } from '../../src/model/vit';
import { LoraAdapter } from '../../src/model/lora';
import { countParams } from '../../src/model/params';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('parameter counts (study.md)', () => {
  it('ViT-B/16, 14 outputs, LoRA r=8 on q,v: 307,214 trainable of 86,104,334', () => {
    const cfg = makeVitConfig('vit_base_patch16', 14);
    expect(countParams(cfg, 'lora', { ...STUDY_LORA, r: 8 })).toEqual({ trainable: 307_214, total: 86_104_334 });
    expect(countParams(cfg, 'lora', { ...STUDY_LORA, r: 4 }).trainable).toBe(159_758);
    expect(countParams(cfg, 'lora', { ...STUDY_LORA, r: 32 }).trainable).toBe(1_191_950);
    expect(countParams(cfg, 'fft', STUDY_LORA).total - 10_766).toBe(85_798_656);
  });
});

describe('tiny ViT forward', () => {
  it('runs, and B = 0 LoRA leaves the output unchanged', () => {
    const cfg = makeVitConfig('tiny', 3);
    const model = new VitModel(cfg, initVitParams(cfg, 1));
    const x = tf.randomNormal([2, 1, 64, 64], 0, 1, 'float32', 3) as tf.Tensor4D;
    const base = model.forward(x);
    model.lora = LoraAdapter.create(cfg, { ...STUDY_LORA, r: 4 }, 2);
    const withLora = model.forward(x);
    expect(base.shape).toEqual([2, 3]);
    expect(Array.from(withLora.dataSync())).toEqual(Array.from(base.dataSync()));
    model.dispose();
  });
});
