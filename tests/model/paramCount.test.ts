/**
 * Trainable-parameter counts: the study's numbers for ViT-B/16 with 14 outputs (study.md, issue 2), and the
 * analytic count (used by the UI before a model exists) against the tensors that actually train.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVitConfig } from '../../src/run/vitConfig';
import { countParams, countVitParams } from '../../src/run/paramCount';
import { modelFromGolden } from '../../src/train/selfCheck';
import { trainableVariables } from '../../src/train/step';
import { FORWARD_FIXTURES, loadForward } from './goldenFixtures';
import { STUDY_LORA, type Method } from '../../src/run/loraConfig';
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ViT-B/16, 14 outputs, LoRA on q and v (study.md)', () => {
  const cfg = makeVitConfig('vit_base_patch16', 14);

  it('backbone 85,798,656 + head 10,766', () => {
    const { backbone, head } = countVitParams(cfg);
    expect(backbone).toBe(85_798_656);
    expect(head).toBe(10_766);
  });

  it.each([
    [4, 159_758, 0.186],
    [8, 307_214, 0.357],
    [32, 1_191_950, 1.37],
  ])('r=%i -> %i trainable (%f %%)', (r, trainable, pct) => {
    const c = countParams(cfg, 'lora', { ...STUDY_LORA, r });
    expect(c.trainable).toBe(trainable);
    expect(c.total).toBe(85_798_656 + 10_766 + 2 * 12 * r * (768 + 768));
    // the study reports the percentage of the backbone + head (+ adapter) model
    expect((100 * c.trainable) / c.total).toBeCloseTo(pct, 2);
  });

  it('r=8: 86,104,334 in all (backbone + head + LoRA 294,912)', () => {
    expect(countParams(cfg, 'lora', { ...STUDY_LORA, r: 8 })).toEqual({ trainable: 307_214, total: 86_104_334 });
  });

  it('full fine-tuning trains everything, the linear probe fc_norm + head', () => {
    expect(countParams(cfg, 'fft', STUDY_LORA)).toEqual({ trainable: 85_809_422, total: 85_809_422 });
    expect(countParams(cfg, 'linear', STUDY_LORA)).toEqual({ trainable: 1_536 + 10_766, total: 85_809_422 });
  });
});

describe.each(FORWARD_FIXTURES)('analytic counts equal the tensors on %s', (fixture) => {
  const g = loadForward(fixture);
  it.each(['lora', 'fft', 'linear'] as Method[])('%s', (method) => {
    const model = modelFromGolden(g, method === 'lora');
    const size = (vs: Iterable<tf.Variable>) => [...vs].reduce((n, v) => n + v.size, 0);
    const trainable = size(trainableVariables(model, method).values());
    const total = size(model.params.values()) + (method === 'lora' ? size(model.lora!.tensors.values()) : 0);
    expect(countParams(g.config, method, g.lora)).toEqual({ trainable, total });
    if (method === 'lora') expect(model.lora!.parameterCount()).toBe(size(model.lora!.tensors.values()));
    model.dispose();
  });
});
