/**
 * "Under the hood" through the trainer service in Node (CPU backend, fake-indexeddb): a run's per-image predictions
 * (latest validation pass and test scoring) agree with the AUROCs of its metrics file, are stored when it ends and
 * read back by a fresh trainer; stored images come back by key; a saliency map of a stored run's image is made by
 * the very weights that were scored (its probability is the test prediction of that image).
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainerService } from '../../src/lab/trainer';
import { getKeys, putImages, putManifest } from '../../src/storage/datasets';
import { getPredictions } from '../../src/storage/predictions';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { recipeValues } from '../../src/run/recipes';
import { mulberry32 } from '../../src/run/random';
import { multiLabelAuroc } from '../../src/train/auroc';
import type { DatasetManifest, LabelValue, Split, StoredImage } from '../../src/run/datasets';
import type { RunConfig } from '../../src/run/records';
import type { RunPredictions } from '../../src/run/predictions';

const SIZE = 64;
const DATASET = 'ds-predictions-test';
const COUNTS: Record<Split, number> = { train: 32, val: 16, test: 20 };
const stored = new Map<string, StoredImage>();

/** Label 1: a bright left half; label 2: a bright top half (some entries "ignore"). */
function image(i: number, split: Split): StoredImage {
  const rand = mulberry32(i + 1);
  const left = i % 2 === 0;
  const top = i % 3 === 0;
  const pixels = new Uint8Array(SIZE * SIZE);
  for (let p = 0; p < pixels.length; p++) pixels[p] = 60 + (left && p % SIZE < SIZE / 2 ? 80 : 0) + (top && p < pixels.length / 2 ? 60 : 0) + Math.floor(rand() * 40);
  const labels: LabelValue[] = [left ? 1 : 0, i % 7 === 0 ? -1 : top ? 1 : 0];
  return { datasetId: DATASET, key: `${split}/${i}.png`, split, labels, pixels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  let i = 0;
  for (const split of ['train', 'val', 'test'] as Split[]) for (let k = 0; k < COUNTS[split]; k++) {
    const im = image(i++, split);
    stored.set(im.key, im);
  }
  await putImages([...stored.values()]);
  const manifest: DatasetManifest = {
    id: DATASET, name: 'synthetic', layout: 'generic-csv', labels: ['LEFT', 'TOP'], storageSize: SIZE, counts: COUNTS,
    positives: { train: [16, 11], val: [8, 5], test: [10, 7] }, createdAt: 1, notes: [],
  };
  await putManifest(manifest);
});

const config: RunConfig = {
  datasetId: DATASET, method: 'lora', preset: 'tiny', lora: { ...STUDY_LORA, r: 4 }, initialisation: 'random',
  ...recipeValues('mrm-sgd', 'lora', 12), totalSteps: 12, batchSize: 8, evalEvery: 4, evalMaxImages: 12, augment: true, seed: 3,
};

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

function expectTruth(p: RunPredictions) {
  p.keys.forEach((key, row) => {
    const labels = stored.get(key)!.labels;
    labels.forEach((v, l) => {
      expect(p.masks[row * 2 + l]).toBe(v === -1 ? 0 : 1);
      expect(p.targets[row * 2 + l]).toBe(v === 1 ? 1 : 0);
    });
  });
}

describe('predictions, images and saliency through the trainer', () => {
  it('keeps, stores and serves a run\'s predictions; explains its images with the scored weights', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const run = await trainer.start(config, () => undefined);
    await waitFor(async () => (await trainer.listRuns()).find((r) => r.id === run.id)?.status === 'finished');
    const log = await trainer.runMetrics(run.id);

    const val = (await trainer.predictions(run.id, 'val'))!;
    const lastVal = log.evaluations.at(-1)!;
    expect(val).toMatchObject({ runId: run.id, split: 'val', step: lastVal.step, datasetId: DATASET, labels: ['LEFT', 'TOP'] });
    expect(val.keys).toHaveLength(12);
    expect(new Set(val.keys).size).toBe(12);
    expect(val.keys.every((k) => k.startsWith('val/'))).toBe(true);
    expectTruth(val);
    const valAuroc = multiLabelAuroc(val.scores, val.targets, 2, val.masks);
    expect(valAuroc.perLabel).toEqual([lastVal.auroc.LEFT, lastVal.auroc.TOP]);

    const test = (await trainer.predictions(run.id, 'test'))!;
    expect(test.step).toBe(log.test!.step);
    expect([...test.keys].sort()).toEqual(await getKeys(DATASET, 'test'));
    expectTruth(test);
    expect(multiLabelAuroc(test.scores, test.targets, 2, test.masks).perLabel).toEqual([log.test!.auroc.LEFT, log.test!.auroc.TOP]);

    // A fresh trainer (a reload) reads the same predictions from storage (the validation pass is written just after
    // the final status, liveRun.ts).
    await waitFor(async () => (await getPredictions(run.id, 'val')) !== undefined);
    const later = new TrainerService();
    await later.initBackend('cpu');
    for (const [split, live] of [['val', val], ['test', test]] as const) {
      const again = (await later.predictions(run.id, split))!;
      expect(again.keys).toEqual(live.keys);
      expect([...again.scores]).toEqual([...live.scores]);
    }
    expect(await later.predictions('no-such-run', 'val')).toBeNull();

    const keys = test.keys.slice(0, 3);
    const images = await later.images(DATASET, keys);
    expect(images.map((im) => im.key)).toEqual(keys);
    images.forEach((im) => {
      expect(im.size).toBe(SIZE);
      expect([...im.pixels]).toEqual([...stored.get(im.key)!.pixels]);
      expect(im.labels).toEqual(stored.get(im.key)!.labels);
    });
    await expect(later.images(DATASET, ['test/missing.png'])).rejects.toThrow(/not in the store/);

    // The stored run's model is its scored checkpoint: the map's probabilities are the test predictions of the image.
    const row = 4;
    const request = { runId: run.id, datasetId: DATASET, imageKey: test.keys[row], labelIndex: 1, method: 'gradientTimesInput' as const };
    const fromStored = await later.saliency(request);
    expect(fromStored.weights).toMatch(/^best-validation checkpoint, step \d+$/);
    expect(fromStored.heat).toHaveLength(64 * 64);
    expect(fromStored.side).toBe(64);
    expect(fromStored.ms).toBeGreaterThan(0);
    expect(fromStored.probabilities[0]).toBeCloseTo(test.scores[row * 2], 4);
    expect(fromStored.probabilities[1]).toBeCloseTo(test.scores[row * 2 + 1], 4);
    // The live trainer explains with the live model, which holds the same scored weights.
    const fromLive = await trainer.saliency(request);
    expect(fromLive.weights).toMatch(/scored on the test split/);
    fromLive.probabilities.forEach((p, l) => expect(p).toBeCloseTo(fromStored.probabilities[l], 5));
    expect([...fromLive.heat]).toEqual([...fromStored.heat]);

    // Requests after the first reuse the cached model: no tensor is left behind.
    await later.saliency({ ...request, method: 'attentionRollout' });
    const before = tf.memory().numTensors;
    for (const method of ['gradientTimesInput', 'smoothGrad', 'attentionRollout'] as const) {
      await later.saliency({ ...request, method, smoothGrad: { samples: 2, noiseStd: 0.1, seed: 1 } });
    }
    expect(tf.memory().numTensors).toBe(before);

    await later.deleteRun(run.id);
    expect(await later.predictions(run.id, 'test')).toBeNull();
  }, 120_000);
});
