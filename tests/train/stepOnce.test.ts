/**
 * "Step" (teaching mode): a session started paused runs nothing until asked; each stepOnce() runs exactly one step,
 * the same step an uninterrupted run takes (same loss), records it at once, evaluates when due, and stays paused;
 * Resume then carries on; the last step finishes the run. tf.memory() stays flat from step to step.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initVitParams } from '../../src/model/init';
import { LoraAdapter } from '../../src/model/lora';
import { VitModel } from '../../src/model/vit';
import type { Batch } from '../../src/run/datasets';
import { STUDY_LORA } from '../../src/run/loraConfig';
import { mulberry32 } from '../../src/run/random';
import type { RunConfig, TrainerMessage } from '../../src/run/records';
import { makeVitConfig } from '../../src/run/vitConfig';
import { SgdMomentum } from '../../src/train/optimizers';
import { paramGroupFor } from '../../src/train/paramGroups';
import { TrainingSession } from '../../src/train/session';

const SIZE = 16;

/** Label: a bright image (mean 150 against 60), with noise. */
function batch(size: number, rand: () => number): Batch {
  const pixels = new Uint8Array(size * SIZE * SIZE);
  const labels = new Float32Array(size);
  for (let b = 0; b < size; b++) {
    const bright = rand() < 0.5;
    for (let p = 0; p < SIZE * SIZE; p++) pixels[b * SIZE * SIZE + p] = (bright ? 150 : 60) + Math.floor(rand() * 40);
    labels[b] = bright ? 1 : 0;
  }
  return { pixels, labels, mask: new Float32Array(size).fill(1), valid: size, batchSize: size, size: SIZE };
}

const CONFIG: RunConfig = {
  datasetId: 'synthetic', method: 'lora', preset: 'tiny', lora: { ...STUDY_LORA, r: 4, lora_dropout: 0 }, initialisation: 'random',
  optimizer: 'sgd', baseLr: 0.05, scaleLrByBatch: false, minLr: 1e-5, momentum: 0.9, weightDecay: 0, layerDecay: 1, warmupSteps: 2,
  totalSteps: 8, batchSize: 4, evalEvery: 3, evalMaxImages: 8, dropPath: 0, augment: true, seed: 3,
};

function build(startPaused: boolean) {
  const messages: TrainerMessage[] = [];
  const cfg = makeVitConfig('tiny', 1, { imgSize: 16, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2 });
  const model = new VitModel(cfg, initVitParams(cfg, CONFIG.seed));
  model.lora = LoraAdapter.create(cfg, CONFIG.lora, CONFIG.seed);
  const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0, group: (n, sh) => paramGroupFor(n, sh, cfg.depth, 1) });
  const rand = mulberry32(11);
  const val = [batch(4, mulberry32(99)), batch(4, mulberry32(98))];
  const session = new TrainingSession({
    config: CONFIG,
    labels: ['bright'],
    model,
    optimizer,
    train: { next: async () => batch(CONFIG.batchSize, rand) },
    val: {
      async *epoch() {
        yield* val;
      },
    },
    emit: (m) => messages.push(m),
    metricsHeader: { ...CONFIG, backend: 'cpu', initialisationNote: 'random', microBatch: CONFIG.batchSize },
    startPaused,
  });
  const dispose = () => {
    model.dispose();
    optimizer.dispose();
  };
  return { session, messages, dispose };
}

const lastState = (messages: TrainerMessage[]) => messages.filter((m) => m.type === 'state').at(-1);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TrainingSession.stepOnce', () => {
  it('a run started paused takes exactly one step per call, the same steps as an uninterrupted run, then resumes to the end', async () => {
    const reference = build(false);
    await reference.session.run();
    const referenceLosses = reference.session.metrics().steps.map((s) => s.loss);
    reference.dispose();

    const { session, messages, dispose } = build(true);
    const run = session.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(session.currentStep).toBe(0);
    expect(lastState(messages)).toMatchObject({ state: 'paused', step: 0 });

    const tensorsAt: number[] = [];
    for (let k = 1; k <= 4; k++) {
      await session.stepOnce();
      tensorsAt.push(tf.memory().numTensors);
      expect(session.currentStep).toBe(k);
      // Recorded and shown at once: the metrics hold steps 1..k, the page is told "step k, paused".
      expect(session.metrics().steps.map((s) => s.step)).toEqual(Array.from({ length: k }, (_, i) => i + 1));
      expect(lastState(messages)).toMatchObject({ state: 'paused', step: k });
    }
    // No further step without a call.
    await new Promise((r) => setTimeout(r, 50));
    expect(session.currentStep).toBe(4);
    // The evaluation due at step 3 ran during the third step.
    expect(session.metrics().evaluations.map((e) => e.step)).toEqual([3]);
    expect(tensorsAt[3]).toBe(tensorsAt[1]);

    session.resume();
    await run;
    const log = session.metrics();
    expect(log.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.steps.map((s) => s.loss)).toEqual(referenceLosses);
    expect(log.events.map((e) => `${e.kind}@${e.step}`)).toEqual(['pause@0', 'step@0', 'step@1', 'step@2', 'step@3', 'resume@4']);
    expect(lastState(messages)).toMatchObject({ state: 'finished', step: 8 });
    dispose();
  });

  it('stepping through the last step finishes the run; a step of a running or ended run is refused', async () => {
    const { session, messages, dispose } = build(true);
    const run = session.run();
    for (let k = 0; k < CONFIG.totalSteps; k++) await session.stepOnce();
    await run;
    expect(lastState(messages)).toMatchObject({ state: 'finished', step: 8 });
    expect(session.metrics().steps).toHaveLength(8);
    await expect(session.stepOnce()).rejects.toThrow(/needs a paused run; this one is finished/);
    dispose();

    const running = build(false);
    const second = running.session.run();
    await expect(running.session.stepOnce()).rejects.toThrow(/needs a paused run; this one is running/);
    running.session.stop();
    await second;
    running.dispose();
  });

  it('a step asked for at the end of the steps is refused, and one pending when the run stops is rejected', async () => {
    const { session, dispose } = build(true);
    const run = session.run();
    const pending = Array.from({ length: CONFIG.totalSteps }, () => session.stepOnce());
    await expect(session.stepOnce()).rejects.toThrow(/no step left/);
    await Promise.all(pending);
    await run;
    dispose();

    const stopped = build(true);
    const again = stopped.session.run();
    const first = stopped.session.stepOnce();
    const second = stopped.session.stepOnce();
    await first;
    stopped.session.stop();
    await again;
    await expect(second).rejects.toThrow(/ended before the step ran/);
    stopped.dispose();
  });
});
