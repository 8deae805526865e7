/**
 * The trainer's teaching calls in Node (tfjs CPU, fake-indexeddb): a run started paused moves one step per step()
 * and keeps its steps in storage; sampleImage gives the dataset's first training image at the model's input size;
 * adapterSpectrum gives the running adapter's singular values of B A for a chosen adapted matrix.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainerService } from '../../src/lab/trainer';
import { readSafetensors } from '../../src/formats/safetensors';
import { unzipPeftAdapter } from '../../src/io/peft';
import { mat, matmul } from '../../src/model/lowRank';
import type { DatasetManifest, LabelValue, Split, StoredImage } from '../../src/run/datasets';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { recipeValues } from '../../src/run/recipes';
import type { RunConfig, TrainerMessage } from '../../src/run/records';
import { putImages, putManifest } from '../../src/storage/datasets';

const SIZE = 64;
const DATASET = 'ds-teaching-test';
const COUNTS: Record<Split, number> = { train: 16, val: 8, test: 0 };

/** Image i: a horizontal ramp plus i, positive when i is even. */
function image(i: number, split: Split): StoredImage {
  const pixels = new Uint8Array(SIZE * SIZE);
  for (let p = 0; p < pixels.length; p++) pixels[p] = ((p % SIZE) * 3 + i) % 256;
  return { datasetId: DATASET, key: `${split}/${String(i).padStart(3, '0')}.png`, split, labels: [(i % 2 === 0 ? 1 : 0) as LabelValue, 0], pixels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const images: StoredImage[] = [];
  let i = 0;
  for (const split of ['val', 'train'] as Split[]) for (let k = 0; k < COUNTS[split]; k++) images.push(image(i++, split));
  await putImages(images);
  const manifest: DatasetManifest = {
    id: DATASET, name: 'teaching', layout: 'class-folders', labels: ['EVEN', 'NEVER'], storageSize: SIZE, counts: COUNTS,
    positives: { train: [8, 0], val: [4, 0], test: [0, 0] }, createdAt: 1, notes: [],
  };
  await putManifest(manifest);
});

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    datasetId: DATASET, method: 'lora', preset: 'tiny', lora: { ...STUDY_LORA, r: 4 }, initialisation: 'random',
    ...recipeValues('mrm-sgd', 'lora', 6), totalSteps: 6, batchSize: 4, evalEvery: 100, evalMaxImages: 8, augment: false, seed: 5,
    ...overrides,
  };
}

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

describe('TrainerService teaching calls', () => {
  it('start paused, then step() advances exactly one step each time, recorded in storage; resume finishes', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const messages: TrainerMessage[] = [];
    const run = await trainer.start(config(), (m) => messages.push(m), { paused: true });
    await new Promise((r) => setTimeout(r, 50));
    expect((await trainer.metrics())!.steps).toHaveLength(0);
    expect((await trainer.listRuns()).find((r) => r.id === run.id)?.status).toBe('paused');
    await trainer.step();
    await trainer.step();
    const log = (await trainer.metrics())!;
    expect(log.steps.map((s) => s.step)).toEqual([1, 2]);
    expect(messages.filter((m) => m.type === 'state').at(-1)).toMatchObject({ state: 'paused', step: 2 });
    await waitFor(async () => (await trainer.runMetrics(run.id)).steps.length === 2);
    await trainer.resume();
    await waitFor(async () => (await trainer.listRuns()).find((r) => r.id === run.id)?.status === 'finished');
    expect((await trainer.runMetrics(run.id)).steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(trainer.step()).rejects.toThrow(/needs a paused run/);
  });

  it('sampleImage: the first training image by key, at the model input size, with its positive labels', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const same = (await trainer.sampleImage(DATASET, SIZE, false))!;
    // Training keys sort first by their path: "train/008.png" is the first (val took 0..7).
    expect(same).toMatchObject({ key: 'train/008.png', size: SIZE, positives: ['EVEN'] });
    expect(Array.from(same.pixels)).toEqual(Array.from(image(8, 'train').pixels));
    const half = (await trainer.sampleImage(DATASET, 32, false))!;
    expect(half.pixels).toHaveLength(32 * 32);
    // A horizontal ramp stays a ramp: every row the same, increasing left to right.
    const row = Array.from(half.pixels.slice(0, 32));
    expect(Array.from(half.pixels.slice(31 * 32))).toEqual(row);
    for (let x = 1; x < 32; x++) expect(row[x]).toBeGreaterThan(row[x - 1]);
    // With augmentation the evaluation's centre crop is shown: a narrower slice of the ramp.
    const cropped = (await trainer.sampleImage(DATASET, 32, true))!;
    expect(cropped.pixels[0]).toBeGreaterThan(row[0]);
    expect(cropped.pixels[31]).toBeLessThan(row[31]);
    expect(await trainer.sampleImage('no-such-dataset', 32, false)).toBeNull();
  });

  it('adapterSpectrum: r singular values of the chosen matrix, equal to those of B A (sum of squares = squared Frobenius norm)', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    expect(await trainer.adapterSpectrum()).toBeNull();
    await trainer.start(config({ totalSteps: 6 }), () => undefined, { paused: true });
    for (let k = 0; k < 3; k++) await trainer.step();
    const first = (await trainer.adapterSpectrum())!;
    expect(first.sites).toEqual(['blocks.0.attn.qkv.q', 'blocks.0.attn.qkv.v', 'blocks.1.attn.qkv.q', 'blocks.1.attn.qkv.v']);
    expect(first).toMatchObject({ site: 'blocks.0.attn.qkv.q', r: 4, out: 64, in: 64, scaling: 32 / 4, step: 3 });
    const chosen = (await trainer.adapterSpectrum('blocks.1.attn.qkv.v'))!;
    expect(chosen.site).toBe('blocks.1.attn.qkv.v');
    expect(chosen.singularValues).toHaveLength(4);
    // After 3 steps B is no longer zero, so B A has non-zero singular values.
    expect(chosen.singularValues[0]).toBeGreaterThan(0);
    // The same adapter as "Export adapter" writes it (PEFT fuses q and v: A = [A_q; A_v], B holds B_v in rows 2D..3D,
    // columns r..2r): the sum of squared singular values must be ||B_v A_v||_F^2.
    const { safetensors } = unzipPeftAdapter((await trainer.exportAdapter('spectrum')).bytes);
    const { tensors } = await readSafetensors(new Blob([safetensors as Uint8Array<ArrayBuffer>]));
    const fusedA = tensors.get('base_model.model.blocks.1.attn.qkv.lora_A.weight')!; // [2r, 64]
    const fusedB = tensors.get('base_model.model.blocks.1.attn.qkv.lora_B.weight')!; // [3 * 64, 2r]
    const aV = mat(4, 64, fusedA.data.slice(4 * 64, 8 * 64));
    const bV = mat(64, 4);
    for (let row = 0; row < 64; row++) for (let c = 0; c < 4; c++) bV.data[row * 4 + c] = fusedB.data[(128 + row) * 8 + 4 + c];
    const product = matmul(bV, aV);
    const frobenius2 = product.data.reduce((n, v) => n + v * v, 0);
    const sumSquares = chosen.singularValues.reduce((n, s) => n + s * s, 0);
    expect(Math.abs(sumSquares - frobenius2)).toBeLessThan(1e-9 * frobenius2);
    await trainer.stop();
  });
});
