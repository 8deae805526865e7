/**
 * The page's saliency use case (src/lab/saliencyMaps.ts) in Node on the CPU backend: the stored image goes through
 * evaluation's preprocessing, the map is the model layer's map of that input (the methods themselves are
 * golden-tested against timm in tests/model/saliency.test.ts), and no tensor outlives a call.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saliencyMap } from '../../src/lab/saliencyMaps';
import { initVitParams } from '../../src/model/init';
import { LoraAdapter } from '../../src/model/lora';
import { attentionRollout, gradientTimesInput, saliencyOverlay, smoothGrad } from '../../src/model/saliency';
import { VitModel } from '../../src/model/vit';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { mulberry32 } from '../../src/run/random';
import { makeVitConfig, NORMALISATION } from '../../src/run/vitConfig';
import { centreCropBoxes, EVAL_CROP, preprocess } from '../../src/train/augment';
import type { SaliencyMethod } from '../../src/run/saliencyRequest';

const STORED = 80;
let model: VitModel;
let pixels: Uint8Array;
const norm = NORMALISATION.mae;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const cfg = makeVitConfig('tiny', 3);
  model = new VitModel(cfg, initVitParams(cfg, 3));
  model.lora = LoraAdapter.create(cfg, STUDY_LORA, 3);
  const random = mulberry32(11);
  pixels = Uint8Array.from({ length: STORED * STORED }, () => Math.floor(random() * 256));
});

/** The same map computed by hand: evaluation's preprocessing, then the model layer's method. */
async function expected(method: SaliencyMethod, augment: boolean, label: number): Promise<Uint8Array> {
  const image = preprocess(pixels, 1, STORED, model.cfg.imgSize, norm, augment ? centreCropBoxes(1, EVAL_CROP) : null);
  const result =
    method === 'gradientTimesInput'
      ? gradientTimesInput(model, image, label)
      : method === 'smoothGrad'
        ? smoothGrad(model, image, label, { samples: 5, noiseStd: 0.2, seed: 4 })
        : attentionRollout(model, image);
  const heat = saliencyOverlay(await result.map.data());
  tf.dispose([image, ...Object.values(result)]);
  return heat;
}

describe('saliencyMap (the page\'s request)', () => {
  it.each([
    ['gradientTimesInput', true],
    ['gradientTimesInput', false],
    ['smoothGrad', true],
    ['attentionRollout', true],
  ] as const)('%s (augment %s): the map of the evaluation input, its crop, and the model\'s probabilities', async (method, augment) => {
    const got = await saliencyMap({ model, norm, augment, pixels, size: STORED, labelIndex: 2, method, smoothGrad: { samples: 5, noiseStd: 0.2, seed: 4 } });
    expect(got.side).toBe(64);
    expect(got.heat).toHaveLength(64 * 64);
    expect([...got.heat]).toEqual([...(await expected(method, augment, 2))]);
    expect(Math.max(...got.heat)).toBe(255);
    const m = (1 - EVAL_CROP) / 2;
    expect(got.crop).toEqual(augment ? [m, m, 1 - m, 1 - m] : [0, 0, 1, 1]);
    const input = preprocess(pixels, 1, STORED, 64, norm, augment ? centreCropBoxes(1, EVAL_CROP) : null);
    const probs = tf.sigmoid(model.forward(input));
    const want = Array.from(await probs.data());
    tf.dispose([input, probs]);
    expect(got.probabilities).toHaveLength(3);
    got.probabilities.forEach((p, i) => expect(p).toBeCloseTo(want[i], 6));
  });

  it('a label index outside the head, or an image of the wrong size, is refused', async () => {
    await expect(saliencyMap({ model, norm, augment: true, pixels, size: STORED, labelIndex: 3, method: 'attentionRollout' })).rejects.toThrow(/label index/);
    await expect(saliencyMap({ model, norm, augment: true, pixels, size: 64, labelIndex: 0, method: 'gradientTimesInput' })).rejects.toThrow(/pixels/);
  });

  it('leaves tf.memory().numTensors flat over repeated calls of every method', async () => {
    const methods: SaliencyMethod[] = ['gradientTimesInput', 'smoothGrad', 'attentionRollout'];
    for (const method of methods) await saliencyMap({ model, norm, augment: true, pixels, size: STORED, labelIndex: 0, method, smoothGrad: { samples: 3, noiseStd: 0.1, seed: 1 } });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const method of methods) await saliencyMap({ model, norm, augment: i % 2 === 0, pixels, size: STORED, labelIndex: i, method, smoothGrad: { samples: 3, noiseStd: 0.1, seed: 1 } });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
