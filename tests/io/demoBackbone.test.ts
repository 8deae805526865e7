import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBackbone, openCheckpoint } from '../../src/io/checkpoint';
import { DEMO_BACKBONE } from '../../src/io/demoBackbone';
import { makeVitConfig } from '../../src/run/vitConfig';
import { VitModel } from '../../src/model/vit';

const FILE = join(__dirname, '..', '..', 'public', DEMO_BACKBONE.path);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the shipped demo backbone', () => {
  it('is exactly the tiny preset, encoder only, and loads with nothing missing', async () => {
    const loaded = await loadBackbone(await openAsBlob(FILE), { numClasses: 2 }, undefined, { cache: false });
    expect(loaded.cfg).toEqual(makeVitConfig('tiny', 2));
    expect(loaded.summary.missing).toEqual([]);
    expect(loaded.summary.ignored).toEqual([]);
    expect(loaded.summary.numHeadsFrom).toBe('metadata');
    expect(loaded.summary.newlyInitialised.sort()).toEqual(['fc_norm.bias', 'fc_norm.weight', 'head.bias', 'head.weight']);
    const reader = await openCheckpoint(await openAsBlob(FILE));
    expect(reader.metadata.pretraining).toMatch(/MAE/);
    expect(JSON.parse(reader.metadata.normalisation)).toEqual(DEMO_BACKBONE.normalisation);
    const model = new VitModel(loaded.cfg, loaded.params);
    const x = tf.randomNormal([2, 1, 64, 64], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = model.forward(x);
    expect(y.shape).toEqual([2, 2]);
    expect((await y.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});
