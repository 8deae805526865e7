/**
 * The trainer service (src/lab/trainer.ts) end to end in Node: tfjs CPU backend, fake-indexeddb, a small stored
 * dataset with a learnable label. Runs are kept as they train and scored on the test split; a stopped run resumes
 * from its checkpoint and ends with the same losses as an uninterrupted run; a grid runs its cells and keeps
 * tf.memory() flat from run to run.
 */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrainerService } from '../../src/lab/trainer';
import { putImages, putManifest } from '../../src/storage/datasets';
import { readMetrics } from '../../src/storage/runs';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { recipeValues } from '../../src/run/recipes';
import type { DatasetManifest, LabelValue, Split, StoredImage } from '../../src/run/datasets';
import type { GridSpec } from '../../src/run/grid';
import type { RunConfig, TrainerMessage } from '../../src/run/records';
import { mulberry32 } from '../../src/run/random';

const SIZE = 64;
const DATASET = 'ds-trainer-test';
const COUNTS: Record<Split, number> = { train: 48, val: 16, test: 24 };

/** Label 1: a bright left half (learnable in a few steps). */
function image(i: number, split: Split): StoredImage {
  const rand = mulberry32(i + 1);
  const positive = i % 2 === 0;
  const pixels = new Uint8Array(SIZE * SIZE);
  for (let p = 0; p < pixels.length; p++) pixels[p] = (positive && p % SIZE < SIZE / 2 ? 170 : 70) + Math.floor(rand() * 40);
  return { datasetId: DATASET, key: `${split}/${i}.png`, split, labels: [(positive ? 1 : 0) as LabelValue], pixels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const images: StoredImage[] = [];
  let i = 0;
  for (const split of ['train', 'val', 'test'] as Split[]) for (let k = 0; k < COUNTS[split]; k++) images.push(image(i++, split));
  await putImages(images);
  const manifest: DatasetManifest = {
    id: DATASET, name: 'synthetic', layout: 'class-folders', labels: ['BRIGHT_LEFT'], storageSize: SIZE, counts: COUNTS,
    positives: { train: [24], val: [8], test: [12] }, createdAt: 1, notes: [],
  };
  await putManifest(manifest);
});

function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    datasetId: DATASET, method: 'lora', preset: 'tiny', lora: { ...STUDY_LORA, r: 4 }, initialisation: 'random',
    ...recipeValues('mrm-sgd', 'lora', 16), totalSteps: 16, batchSize: 8, evalEvery: 4, evalMaxImages: 16, augment: true, seed: 2,
    ...overrides,
  };
}

function collect(): { messages: TrainerMessage[]; onMessage: (m: TrainerMessage) => void } {
  const messages: TrainerMessage[] = [];
  return { messages, onMessage: (m) => messages.push(m) };
}

async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

describe('TrainerService', () => {
  it('keeps a run as it trains, scores it on the whole test split with its best checkpoint, and lists it finished', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const { messages, onMessage } = collect();
    const run = await trainer.start(config(), onMessage);
    await waitFor(async () => (await trainer.listRuns()).find((r) => r.id === run.id)?.status === 'finished');
    const [stored] = (await trainer.listRuns()).filter((r) => r.id === run.id);
    expect(stored.step).toBe(16);
    expect(stored.resumeStep).toBe(16);
    expect(stored.bestVal?.step).toBeGreaterThan(0);
    expect(stored.test).toMatchObject({ images: COUNTS.test, step: stored.bestVal!.step });
    expect(stored.test!.macroAurocCi.resamples).toBeGreaterThan(900);
    expect(stored.test!.meanEce).not.toBeNull();
    expect(stored.checkpointBytes).toBeGreaterThan(0);
    const log = await trainer.runMetrics(run.id);
    expect(log.steps.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(log.evaluations.map((e) => e.step)).toEqual([4, 8, 12, 16]);
    expect(log.test).toEqual(stored.test);
    expect(messages.some((m) => m.type === 'test')).toBe(true);
    expect(messages.some((m) => m.type === 'resources')).toBe(true);
    await trainer.deleteRun(run.id).catch(() => undefined);
  }, 120_000);

  it('a run stopped mid-way resumes from its last checkpoint and ends with the losses of an uninterrupted run', async () => {
    const reference = new TrainerService();
    await reference.initBackend('cpu');
    const whole = await reference.start(config({ seed: 5 }), () => undefined);
    await waitFor(async () => (await reference.listRuns()).find((r) => r.id === whole.id)?.status === 'finished');
    const expected = (await readMetrics(whole.id)).steps.map((s) => s.loss);

    // The interrupted run lives in a trainer that is then dropped, as a worker is by a reload.
    const first = new TrainerService();
    await first.initBackend('cpu');
    const run = await first.start(config({ seed: 5 }), () => undefined);
    await waitFor(async () => ((await readMetrics(run.id)).steps.length >= 10));
    await first.stop();
    const stopped = (await first.listRuns()).find((r) => r.id === run.id)!;
    expect(stopped.status).toBe('stopped');
    expect(stopped.resumeStep).toBeGreaterThanOrEqual(8);

    const second = new TrainerService();
    await second.initBackend('cpu');
    const { messages, onMessage } = collect();
    await second.resumeRun(run.id, onMessage);
    expect(messages.find((m) => m.type === 'run')).toMatchObject({ resumedFrom: stopped.resumeStep });
    await waitFor(async () => (await second.listRuns()).find((r) => r.id === run.id)?.status === 'finished');
    const losses = (await readMetrics(run.id)).steps;
    expect(losses.map((s) => s.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (let i = 0; i < 16; i++) expect(Math.abs(losses[i].loss - expected[i])).toBeLessThan(1e-5);
  }, 120_000);

  it('a grid of 3 methods x 3 fractions runs its 9 cells, each scored, with tensors and backend bytes flat from run to run', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const base = config({ totalSteps: 8, evalEvery: 4 });
    const { datasetId: _d, method: _m, seed: _s, trainFraction: _f, ...shared } = base;
    void [_d, _m, _s, _f];
    const spec: GridSpec = { name: 'test grid', datasetId: DATASET, methods: ['lora', 'fft', 'linear'], fractions: [0.34, 0.67, 1], seeds: [1], ranks: {}, recipe: 'mrm-sgd', base: shared };
    const memory: number[] = [];
    const bytes: number[] = [];
    const { messages, onMessage } = collect();
    const grid = await trainer.startGrid(spec, (m) => {
      onMessage(m);
      // 'starting' is sent once the previous run's model and optimizer are freed, before the next is built.
      if (m.type === 'state' && m.state === 'starting') {
        memory.push(tf.memory().numTensors);
        bytes.push(tf.memory().numBytes);
      }
    });
    await waitFor(async () => (await trainer.listGrids()).find((g) => g.id === grid.id)?.status === 'finished');
    const done = (await trainer.listGrids()).find((g) => g.id === grid.id)!;
    expect(done.runIds.every((id) => id !== null)).toBe(true);
    const runs = (await trainer.listRuns()).filter((r) => r.gridId === grid.id);
    expect(runs).toHaveLength(9);
    for (const r of runs) expect(r.test?.images).toBe(COUNTS.test);
    // The rank follows the study's rule per fraction (34 % -> 32, as for anything above 10 %).
    expect(runs.filter((r) => r.config.method === 'lora').map((r) => r.config.lora.r)).toEqual([32, 32, 32]);
    expect(messages.filter((m) => m.type === 'grid').at(-1)).toMatchObject({ grid: { status: 'finished', index: 9, total: 9 } });
    // Measured as each cell's run starts: no growth from run to run.
    expect(memory).toHaveLength(9);
    expect(new Set(memory.slice(1)).size).toBe(1);
    expect(new Set(bytes.slice(1)).size).toBe(1);
  }, 300_000);

  it('a grid that cannot run says why, per cell, before anything starts', async () => {
    const trainer = new TrainerService();
    await trainer.initBackend('cpu');
    const { datasetId: _d, method: _m, seed: _s, trainFraction: _f, ...shared } = config({ batchSize: 16 });
    void [_d, _m, _s, _f];
    const spec: GridSpec = { name: 'bad', datasetId: DATASET, methods: ['lora'], fractions: [0.1, 1], seeds: [1], ranks: {}, recipe: 'mrm-sgd', base: shared };
    const error = await trainer.startGrid(spec, () => undefined).catch((e: unknown) => e as Error);
    expect(error.message).toMatch(/Cell 1 \(lora, 10 %, seed 1\): 10 % of 48 training images is 5, fewer than one batch of 16\./);
    expect(error.message).not.toMatch(/Cell 2/);
  });
});
