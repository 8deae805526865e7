/**
 * Exact resume (issue 11): a run interrupted after its checkpoint at step k and resumed from it gives the same
 * per-step losses as the same run without interruption. Every source of randomness is replayable: the batch order is
 * a function of (seed, batch index), augmentation crops and dropout / drop-path draws are seeded per step, and the
 * optimizer state (AdamW moments and step counts, SGD momentum) is part of the checkpoint. On tfjs's WASM backend
 * in Node with the lab's kernels (the backend the lab trains on without a GPU), and on the CPU backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWasmKernels } from '../../src/backends/wasmKernels';
import { makeVitConfig } from '../../src/run/vitConfig';
import { initVitParams } from '../../src/model/init';
import { LoraAdapter } from '../../src/model/lora';
import { VitModel } from '../../src/model/vit';
import { AdamW, SgdMomentum, type Optimizer } from '../../src/train/optimizers';
import { paramGroupFor } from '../../src/train/paramGroups';
import { mulberry32 } from '../../src/run/random';
import { TrainingSession } from '../../src/train/session';
import { restoreCheckpoint } from '../../src/train/sessionState';
import type { RunCheckpoint } from '../../src/run/checkpoints';
import type { RunConfig, TrainerMessage } from '../../src/run/records';
import { STUDY_LORA, type Method } from '../../src/run/loraConfig';
import type { Batch } from '../../src/run/datasets';

const SIZE = 16;
const cfg = makeVitConfig('tiny', 2, { imgSize: 16, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2 });

/** Batch b of the stream, a pure function of b (as data/batches.ts guarantees for stored data). */
function batchAt(b: number, batchSize: number): Batch {
  const rand = mulberry32(1000 + b);
  const pixels = new Uint8Array(batchSize * SIZE * SIZE);
  const labels = new Float32Array(batchSize * 2);
  for (let i = 0; i < batchSize; i++) {
    const bright = rand() < 0.5;
    const vertical = rand() < 0.5;
    for (let p = 0; p < SIZE * SIZE; p++) {
      const stripe = (((vertical ? p % SIZE : Math.floor(p / SIZE)) >> 1) % 2) * 50;
      pixels[i * SIZE * SIZE + p] = (bright ? 150 : 60) + stripe + Math.floor(rand() * 20);
    }
    labels[i * 2] = bright ? 1 : 0;
    labels[i * 2 + 1] = vertical ? 1 : 0;
  }
  return { pixels, labels, mask: new Float32Array(batchSize * 2).fill(1), valid: batchSize, batchSize, size: SIZE };
}

function config(method: Method, optimizer: 'sgd' | 'adamw'): RunConfig {
  return {
    datasetId: 'synthetic', method, preset: 'tiny', lora: { ...STUDY_LORA, r: 4, lora_dropout: 0.1 }, initialisation: 'random',
    optimizer, baseLr: optimizer === 'adamw' ? 3e-3 : 0.05, scaleLrByBatch: false, minLr: 1e-5, momentum: 0.9,
    weightDecay: 0.05, layerDecay: 0.75, warmupSteps: 4, totalSteps: 24, batchSize: 6, evalEvery: 8, evalMaxImages: 12,
    dropPath: 0.1, augment: true, seed: 3,
  };
}

function build(c: RunConfig): { model: VitModel; optimizer: Optimizer } {
  const model = new VitModel(cfg, initVitParams(cfg, c.seed));
  if (c.method === 'lora') model.lora = LoraAdapter.create(cfg, c.lora, c.seed);
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, cfg.depth, c.layerDecay);
  const optimizer = c.optimizer === 'adamw'
    ? new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: c.weightDecay, group })
    : new SgdMomentum({ momentum: c.momentum, weightDecay: c.weightDecay, group });
  return { model, optimizer };
}

function session(c: RunConfig, model: VitModel, optimizer: Optimizer, startBatch: number, extra: Partial<ConstructorParameters<typeof TrainingSession>[0]> = {}) {
  let b = startBatch;
  const messages: TrainerMessage[] = [];
  const s = new TrainingSession({
    config: c, labels: ['bright', 'vertical'], model, optimizer,
    train: { next: async () => batchAt(b++, c.batchSize) },
    val: { async *epoch() { yield batchAt(10_000, c.batchSize); yield batchAt(10_001, c.batchSize); } },
    emit: (m) => messages.push(m),
    metricsHeader: { ...c, backend: 'cpu', initialisationNote: 'random', microBatch: c.batchSize },
    ...extra,
  });
  return { s, messages };
}

beforeAll(async () => {
  installWasmKernels();
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('a run resumed from its checkpoint repeats the uninterrupted run exactly', () => {
  const cases = [['wasm', 'lora', 'sgd'], ['wasm', 'fft', 'adamw'], ['wasm', 'lora', 'adamw'], ['cpu', 'lora', 'adamw']] as const;
  for (const [backend, method, optimizer] of cases) {
    it(`${backend}: ${method} + ${optimizer}, with augmentation, drop-path and LoRA dropout on`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const c = config(method, optimizer);
      const whole = build(c);
      const uninterrupted = session(c, whole.model, whole.optimizer, 0);
      await uninterrupted.s.run();
      const reference = uninterrupted.s.metrics().steps.map((s) => s.loss);
      expect(reference).toHaveLength(24);
      whole.model.dispose();
      whole.optimizer.dispose();

      // The interrupted run: its resume checkpoint at step 8 (after the evaluation), then it goes on to step 11
      // when the page goes away (a reload). Steps 9-11 are lost with it and redone.
      const first = build(c);
      let saved: RunCheckpoint | null = null;
      const interrupted = session(c, first.model, first.optimizer, 0, {
        onCheckpoint: async (point) => {
          if (point.step === 8) saved = await point.capture('resume');
        },
      });
      const running = interrupted.s.run();
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (interrupted.s.currentStep >= 11) {
            clearInterval(poll);
            resolve();
          }
        }, 0);
      });
      interrupted.s.stop();
      await running;
      first.model.dispose();
      first.optimizer.dispose();
      const checkpoint = saved as RunCheckpoint | null;
      expect(checkpoint?.step).toBe(8);
      const kept = interrupted.s.metrics().steps.filter((s) => s.step <= 8);

      // Resume: a fresh model from the same initial weights, the checkpoint put back, the stream at batch 8.
      const again = build(c);
      restoreCheckpoint(again.model, checkpoint!, c.lora, again.optimizer);
      const resumed = session(c, again.model, again.optimizer, 8, {
        resumeFrom: { step: 8, evalEvery: checkpoint!.evalEvery!, steps: kept, evaluations: [], events: [] },
      });
      await resumed.s.run();
      const losses = resumed.s.metrics().steps.map((s) => s.loss);
      expect(resumed.s.metrics().steps.map((s) => s.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      for (let i = 0; i < 24; i++) expect(Math.abs(losses[i] - reference[i])).toBeLessThan(1e-5);
      again.model.dispose();
      again.optimizer.dispose();
    });
  }

  it('the test can fail: a resume without the optimizer state does not repeat the run', async () => {
    await tf.setBackend('cpu');
    const c = config('fft', 'adamw');
    const whole = build(c);
    const ref = session(c, whole.model, whole.optimizer, 0);
    let saved: RunCheckpoint | null = null;
    await ref.s.run();
    const reference = ref.s.metrics().steps.map((s) => s.loss);
    whole.model.dispose();
    whole.optimizer.dispose();
    const first = build(c);
    const run = session(c, first.model, first.optimizer, 0, { onCheckpoint: async (p) => { if (p.step === 8) saved = await p.capture('resume'); } });
    await run.s.run();
    first.model.dispose();
    first.optimizer.dispose();
    const again = build(c);
    const checkpoint = { ...(saved as unknown as RunCheckpoint), optimizer: undefined };
    restoreCheckpoint(again.model, checkpoint, c.lora, again.optimizer);
    const resumed = session(c, again.model, again.optimizer, 8, { resumeFrom: { step: 8, evalEvery: 8, steps: [], evaluations: [], events: [] } });
    await resumed.s.run();
    const after = resumed.s.metrics().steps.map((s) => s.loss);
    const worst = Math.max(...after.map((l, i) => Math.abs(l - reference[8 + i])));
    expect(worst).toBeGreaterThan(1e-4);
    again.model.dispose();
    again.optimizer.dispose();
  });
});
