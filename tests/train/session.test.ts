/**
 * The training loop on tfjs's CPU backend with in-memory data: a synthetic, learnable two-label task
 * (label 0: a bright square in the left half; label 1: in the top half), so the loss must fall.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeVitConfig } from '../../src/run/vitConfig';
import { initVitParams } from '../../src/model/init';
import { LoraAdapter } from '../../src/model/lora';
import { countParams } from '../../src/run/paramCount';
import { VitModel } from '../../src/model/vit';
import { AdamW, SgdMomentum } from '../../src/train/optimizers';
import { paramGroupFor } from '../../src/train/paramGroups';
import { mulberry32 } from '../../src/run/random';
import { TrainingSession } from '../../src/train/session';
import type { EvalSource, TrainSource } from '../../src/train/sources';
import type { RunConfig, TrainerMessage } from '../../src/run/records';
import { STUDY_LORA, type Method } from '../../src/run/loraConfig';
import type { Batch } from '../../src/run/datasets';

const SIZE = 16;

/**
 * label 0: bright background (mean level 150 vs 60); label 1: vertical vs horizontal stripes.
 * Both are visible inside every patch, so even a one-step-deep view of the image learns them fast.
 */
function syntheticBatch(batchSize: number, rand: () => number): Batch {
  const pixels = new Uint8Array(batchSize * SIZE * SIZE);
  const labels = new Float32Array(batchSize * 2);
  for (let b = 0; b < batchSize; b++) {
    const bright = rand() < 0.5;
    const vertical = rand() < 0.5;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const stripe = ((vertical ? x : y) >> 1) % 2 === 0 ? 50 : 0;
        pixels[b * SIZE * SIZE + y * SIZE + x] = (bright ? 150 : 60) + stripe + Math.floor(rand() * 20);
      }
    }
    labels[b * 2] = bright ? 1 : 0;
    labels[b * 2 + 1] = vertical ? 1 : 0;
  }
  return { pixels, labels, mask: new Float32Array(batchSize * 2).fill(1), valid: batchSize, batchSize, size: SIZE };
}

function sources(seed: number, batchSize: number): { train: TrainSource; val: EvalSource } {
  const rand = mulberry32(seed);
  const valBatches = [0, 1].map(() => syntheticBatch(batchSize, mulberry32(seed + 1000)));
  valBatches[1] = syntheticBatch(batchSize, mulberry32(seed + 2000));
  return {
    train: { next: async () => syntheticBatch(batchSize, rand) },
    val: {
      async *epoch() {
        for (const b of valBatches) yield b;
      },
    },
  };
}

function runConfig(method: Method, overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    datasetId: 'synthetic',
    method,
    preset: 'tiny',
    lora: { ...STUDY_LORA, r: 4, lora_dropout: 0 },
    initialisation: 'random',
    optimizer: 'adamw',
    baseLr: 3e-3,
    scaleLrByBatch: false,
    minLr: 1e-5,
    momentum: 0.9,
    weightDecay: 0.05,
    layerDecay: 1,
    warmupSteps: 5,
    totalSteps: 60,
    batchSize: 8,
    evalEvery: 20,
    evalMaxImages: 16,
    dropPath: 0,
    augment: false,
    seed: 7,
    ...overrides,
  };
}

function buildSession(config: RunConfig, messages: TrainerMessage[]) {
  const cfg = makeVitConfig('tiny', 2, { imgSize: 16, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2 });
  const model = new VitModel(cfg, initVitParams(cfg, config.seed));
  if (config.method === 'lora') model.lora = LoraAdapter.create(cfg, config.lora, config.seed);
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, cfg.depth, config.layerDecay);
  const optimizer =
    config.optimizer === 'adamw'
      ? new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay, group })
      : new SgdMomentum({ momentum: config.momentum, weightDecay: config.weightDecay, group });
  const { train, val } = sources(config.seed, config.batchSize);
  const session = new TrainingSession({
    config,
    labels: ['bright', 'vertical'],
    model,
    optimizer,
    train,
    val,
    emit: (m) => messages.push(m),
    metricsHeader: { ...config, backend: 'cpu', initialisationNote: 'random', microBatch: config.batchSize },
  });
  return { session, model, optimizer, cfg };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TrainingSession', () => {
  it('FFT with AdamW lowers the loss and reports per-label AUROC in [0, 1]', async () => {
    const messages: TrainerMessage[] = [];
    const { session, model, optimizer } = buildSession(runConfig('fft', { baseLr: 3e-3 }), messages);
    await session.run();
    const log = session.metrics();
    expect(log.steps.map((s) => s.step)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const losses = log.steps.map((s) => s.loss);
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    expect(log.evaluations.map((e) => e.step)).toEqual([20, 40, 60]);
    for (const e of log.evaluations) for (const v of Object.values(e.auroc)) expect(v === null || (v >= 0 && v <= 1)).toBe(true);
    expect(log.evaluations.at(-1)!.macroAuroc).toBeGreaterThan(0.7);
    expect(messages.some((m) => m.type === 'state' && m.state === 'finished')).toBe(true);
    model.dispose();
    optimizer.dispose();
  });

  it('keeps tf.memory().numTensors flat from step 10 to step 1,000, across evaluations and LoRA changes', async () => {
    const messages: TrainerMessage[] = [];
    const config = runConfig('lora', { totalSteps: 1000, evalEvery: 100, augment: true, batchSize: 4 });
    const { session, model, optimizer } = buildSession(config, messages);
    const counts = new Map<number, number>();
    const run = session.run();
    // Sample numTensors at step boundaries via the loss read-backs (every 5 steps).
    const changes: Promise<unknown>[] = [];
    const poll = setInterval(() => {
      const s = session.currentStep;
      if (s >= 10 && !counts.has(10)) counts.set(10, tf.memory().numTensors);
      // Grow, then change alpha, then shrink back: separate changes at separate steps.
      if (s >= 300 && changes.length === 0) changes.push(session.requestLoraChange({ r: 8 }));
      if (s >= 500 && changes.length === 1) changes.push(session.requestLoraChange({ lora_alpha: 16 }));
      if (s >= 700 && changes.length === 2) changes.push(session.requestLoraChange({ r: 4 }));
    }, 0);
    await run;
    clearInterval(poll);
    await Promise.all(changes);
    counts.set(1000, tf.memory().numTensors);
    expect(session.currentStep).toBe(1000);
    expect(counts.get(10)).toBeDefined();
    expect(session.metrics().events.map((e) => `${e.kind}:${e.from}->${e.to}`)).toEqual(['lora_rank:4->8', 'lora_alpha:32->16', 'lora_rank:8->4']);
    // Same adapter shapes at both points (rank 4 again), so the same number of tensors must be alive.
    expect(counts.get(1000)).toBe(counts.get(10));
    model.dispose();
    optimizer.dispose();
  }, 400_000);

  it('applies rank and alpha changes between steps: growing keeps the probe loss, one params message per change carries the count', async () => {
    const messages: TrainerMessage[] = [];
    const config = runConfig('lora', { totalSteps: 30, evalEvery: 1000 });
    const { session, model, optimizer, cfg } = buildSession(config, messages);
    const run = session.run();
    let requested: Promise<unknown> | null = null;
    const poll = setInterval(() => {
      if (!requested && session.currentStep >= 10) requested = Promise.all([session.requestLoraChange({ r: 8 }), session.requestLoraChange({ lora_alpha: 64 })]);
    }, 0);
    await run;
    clearInterval(poll);
    await requested;
    const expected = countParams(cfg, 'lora', { ...config.lora, r: 8 }).trainable;
    // One at the start, one for the (collapsed) rank + alpha change: the change is answered once, by this message.
    const params = messages.filter((m) => m.type === 'params');
    expect(params).toHaveLength(2);
    expect(params[1]).toMatchObject({ params: { trainable: expected }, r: 8, lora_alpha: 64 });
    const events = session.metrics().events;
    const grow = events.find((e) => e.kind === 'lora_rank')!;
    expect(grow).toMatchObject({ from: 4, to: 8 });
    expect(Math.abs(grow.probeLossAfter! - grow.probeLossBefore!)).toBeLessThan(1e-5);
    const alpha = events.find((e) => e.kind === 'lora_alpha')!;
    expect(alpha).toMatchObject({ from: 32, to: 64 });
    // After training the adapter, doubling alpha changes the output.
    expect(alpha.probeLossAfter).not.toBeCloseTo(alpha.probeLossBefore!, 6);
    expect(model.lora!.r).toBe(8);
    expect(model.lora!.tensors.get('blocks.0.attn.qkv.lora_A.q')!.shape).toEqual([8, cfg.embedDim]);
    model.dispose();
    optimizer.dispose();
  });

  it('pause holds the loop and stop ends it early', async () => {
    const messages: TrainerMessage[] = [];
    const { session, model, optimizer } = buildSession(runConfig('linear', { optimizer: 'sgd', baseLr: 0.05, totalSteps: 500 }), messages);
    const run = session.run();
    await new Promise((r) => setTimeout(r, 50));
    session.pause();
    const atPause = session.currentStep;
    await new Promise((r) => setTimeout(r, 200));
    expect(session.currentStep - atPause).toBeLessThanOrEqual(1);
    session.resume();
    await new Promise((r) => setTimeout(r, 50));
    session.stop();
    await run;
    expect(session.currentStep).toBeLessThan(500);
    expect(messages.some((m) => m.type === 'state' && m.state === 'stopped')).toBe(true);
    expect(session.metrics().events.map((e) => e.kind)).toEqual(['pause', 'resume', 'stop']);
    model.dispose();
    optimizer.dispose();
  });

  it('a rank change requested while paused and followed at once by Resume is applied before the next step', async () => {
    const messages: TrainerMessage[] = [];
    const { session, model, optimizer } = buildSession(runConfig('lora', { totalSteps: 40, evalEvery: 1000 }), messages);
    const run = session.run();
    await new Promise((r) => setTimeout(r, 30));
    session.pause();
    const change = session.requestLoraChange({ r: 6 });
    session.resume();
    await run;
    await change;
    expect(session.currentStep).toBe(40);
    expect(messages.some((m) => m.type === 'state' && m.state === 'error')).toBe(false);
    expect(session.metrics().events.filter((e) => e.kind === 'lora_rank')).toHaveLength(1);
    expect(model.lora!.r).toBe(6);
    model.dispose();
    optimizer.dispose();
  });

  it('without a validation split, the probe batch is borrowed from training without skipping it', async () => {
    const messages: TrainerMessage[] = [];
    const config = runConfig('lora', { totalSteps: 12, evalEvery: 1000 });
    const cfg = makeVitConfig('tiny', 2, { imgSize: 16, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2 });
    const model = new VitModel(cfg, initVitParams(cfg, 1));
    model.lora = LoraAdapter.create(cfg, config.lora, 1);
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0, group: (n, sh) => paramGroupFor(n, sh, cfg.depth, 1) });
    const rand = mulberry32(5);
    let served = 0;
    const session = new TrainingSession({
      config,
      labels: ['bright', 'vertical'],
      model,
      optimizer,
      train: { next: async () => (served++, syntheticBatch(config.batchSize, rand)) },
      val: null,
      emit: (m) => messages.push(m),
      metricsHeader: { ...config, backend: 'cpu', initialisationNote: 'random', microBatch: config.batchSize },
    });
    const run = session.run();
    let change: Promise<unknown> | null = null;
    const poll = setInterval(() => {
      if (!change && session.currentStep >= 3) change = session.requestLoraChange({ r: 8 });
    }, 0);
    await run;
    clearInterval(poll);
    await change;
    // Every batch the stream served was trained on, the probe's included: nothing was skipped.
    expect(session.metrics().events.filter((e) => e.kind === 'lora_rank')).toHaveLength(1);
    expect(served).toBe(12);
    model.dispose();
    optimizer.dispose();
  });
});
