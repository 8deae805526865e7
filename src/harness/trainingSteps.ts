/**
 * Training-step benchmark, the measuring part: whatever backend is active (the page's, from bench.ts under
 * `npm run bench`; Dawn's WebGPU in Node on a GPU machine, scripts/gpu/).
 * Times whole steps (forward, backward, optimizer update, loss read back) on fixed random inputs after a
 * warm-up, and reports medians, images/s, tfjs's peak bytes during one step and optimizer-state bytes.
 *
 * The first step is the warm-up: it compiles kernels / shaders and allocates the optimizer state, so it is run
 * under tf.profile (peakBytes = the highest tf.memory().numBytes reached during the step, weights included)
 * and kept out of the median. Timed steps then run while `budgetMs` allows one more; a row says how many it got.
 */
import * as tf from '@tensorflow/tfjs';
import { makeVitConfig, type VitPresetName } from '../run/vitConfig';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { trainableVariables, trainStep, type StepInputs } from '../train/step';
import { activationBudgetBytes, chooseMicroBatch } from '../train/microBatch';
import type { Optimizer } from '../train/optimizers';
import { makeOptimizer } from '../train/makeOptimizer';
import { matmulMacs } from './matmulWork';
import type { BackendName } from '../run/backends';
import { STUDY_LORA, type Method } from '../run/loraConfig';

export interface BenchRow {
  backend: BackendName;
  method: Method;
  preset: VitPresetName;
  imgSize: number;
  batch: number;
  /** Images per gradient pass (gradients accumulated over ceil(batch / microBatch) passes). */
  microBatch: number;
  msMedian: number;
  msMin: number;
  /** Every timed step, in the order run (the median's spread shows how noisy the machine was). */
  stepTimesMs: number[];
  imagesPerSec: number;
  /** Wall time of the profiled first step (kernel compilation and state allocation included). */
  warmupMs: number;
  peakBytes: number;
  optimizerStateBytes: number;
  trainableTensors: number;
  /** Kernels one step dispatches (from the profiled step): LoRA skips the frozen weights' gradient kernels. */
  kernelsPerStep: number;
  /** Multiply-adds of the profiled step's matrix products (matmulWork.ts). */
  matmulMacs: number;
  /** The three kernels of the profiled step that allocated the most, to show where peakBytes comes from. */
  largestKernels: { name: string; bytesAdded: number; outputShapes: number[][] }[];
  reps: number;
  repsRequested: number;
}

export interface BenchOptions {
  backend: BackendName;
  preset?: VitPresetName;
  imgSize?: number;
  batch?: number;
  methods?: Method[];
  warmup?: number;
  reps?: number;
  /** Stop timing further steps of a method once one more would pass this many ms (default: no limit). */
  budgetMs?: number;
  optimizer?: 'sgd' | 'adamw';
  /** Diagnostic: XNNPACK threads for the WASM backend (tfjs's setThreadsCount); unset = what the lab gets. */
  wasmThreads?: number;
  /** Images per gradient pass; unset = the lab's choice for the backend's memory (chooseMicroBatch). */
  microBatch?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One step with the loss read back: the read-back waits for queued GPU work, so wall time is the step's cost. */
async function timedStep(model: VitModel, trainable: Map<string, tf.Variable>, optimizer: Optimizer, inputs: StepInputs, microBatch: number): Promise<number> {
  const t0 = performance.now();
  const loss = trainStep(model, trainable, optimizer, inputs, 1e-3, {}, microBatch);
  await loss.data();
  loss.dispose();
  return performance.now() - t0;
}

/** A model, its optimizer and fixed random inputs for one method's steps, as the lab would set them up. */
interface MethodSetup {
  microBatch: number;
  optimizer: Optimizer;
  trainable: Map<string, tf.Variable>;
  step(): Promise<number>;
  dispose(): void;
}

function setUpMethod(o: BenchOptions, method: Method): MethodSetup {
  const preset = o.preset ?? 'vit_tiny_patch16';
  const imgSize = o.imgSize ?? 224;
  const batch = o.batch ?? 32;
  const cfg = makeVitConfig(preset, 14, { imgSize });
  // The lab's own rule (the trainer worker uses the same): the whole batch when it fits, else accumulation.
  const microBatch = o.microBatch ?? chooseMicroBatch(cfg, batch, activationBudgetBytes(o.backend, cfg), method);
  const model = new VitModel(cfg, initVitParams(cfg, 1));
  if (method === 'lora') model.lora = LoraAdapter.create(cfg, { ...STUDY_LORA, r: 8, lora_dropout: 0 }, 2);
  const optimizer = makeOptimizer({ optimizer: o.optimizer ?? 'sgd', momentum: 0.9, weightDecay: 0.05, layerDecay: 1 }, cfg.depth);
  const trainable = trainableVariables(model, method);
  const x = tf.randomNormal([batch, 1, imgSize, imgSize], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([batch, 14], 0, 1, 'float32', 4), 0.8), 'float32')) as tf.Tensor2D;
  return {
    microBatch,
    optimizer,
    trainable,
    step: () => timedStep(model, trainable, optimizer, { x, y }, microBatch),
    dispose() {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** The first (warm-up) step under tf.profile, then `warmup - 1` more plain ones. */
async function warmUp(s: MethodSetup, warmup: number): Promise<{ warmupMs: number; profile: Awaited<ReturnType<typeof tf.profile>> }> {
  let warmupMs = 0;
  const profile = await tf.profile(async () => {
    warmupMs = await s.step();
  });
  for (let i = 1; i < warmup; i++) await s.step();
  return { warmupMs, profile };
}

export async function measureTrainingSteps(o: BenchOptions): Promise<BenchRow[]> {
  const preset = o.preset ?? 'vit_tiny_patch16';
  const imgSize = o.imgSize ?? 224;
  const batch = o.batch ?? 32;
  const warmup = Math.max(1, o.warmup ?? 1);
  const reps = Math.max(1, o.reps ?? 5);
  const deadline = performance.now() + (o.budgetMs ?? Number.POSITIVE_INFINITY);
  const rows: BenchRow[] = [];
  for (const method of o.methods ?? (['lora', 'fft', 'linear'] as Method[])) {
    const s = setUpMethod(o, method);
    try {
      const { warmupMs, profile } = await warmUp(s, warmup);
      const times: number[] = [];
      while (times.length < reps) {
        // Always one timed step; more only while the budget has room for another of the same length.
        if (times.length > 0 && performance.now() + times[times.length - 1] > deadline) break;
        times.push(await s.step());
      }
      const ms = median(times);
      rows.push({
        backend: o.backend,
        method,
        preset,
        imgSize,
        batch,
        microBatch: s.microBatch,
        msMedian: ms,
        msMin: Math.min(...times),
        stepTimesMs: times,
        imagesPerSec: (batch * 1000) / ms,
        warmupMs,
        peakBytes: profile.peakBytes,
        optimizerStateBytes: s.optimizer.stateBytes(),
        trainableTensors: s.trainable.size,
        kernelsPerStep: profile.kernels.length,
        matmulMacs: matmulMacs(profile.kernels),
        largestKernels: [...profile.kernels]
          .sort((a, b) => b.bytesAdded - a.bytesAdded)
          .slice(0, 3)
          .map((k) => ({ name: k.name, bytesAdded: k.bytesAdded, outputShapes: k.outputShapes })),
        reps: times.length,
        repsRequested: reps,
      });
    } finally {
      s.dispose();
    }
  }
  return rows;
}

export interface PairedRatio {
  backend: BackendName;
  imgSize: number;
  /** [numerator, denominator], e.g. ['lora', 'fft'] */
  methods: [Method, Method];
  /** Step times of each round: one step of each method, back to back. */
  rounds: [number, number][];
  /** Median over rounds of (numerator step / denominator step). */
  medianRatio: number;
}

/**
 * The ratio of two methods' step times with their steps interleaved (A, B, A, B, ...) after both warmed up, so a
 * machine whose speed drifts (other people's jobs on a shared 2-core machine) slows both sides of every ratio
 * alike; the per-row medians of measureTrainingSteps run minutes apart. Both models live at once: between steps
 * each holds only its weights, optimizer state and inputs.
 */
export async function measurePairedRatio(o: BenchOptions & { methods: [Method, Method] }): Promise<PairedRatio> {
  const warmup = Math.max(1, o.warmup ?? 1);
  const reps = Math.max(1, o.reps ?? 5);
  const deadline = performance.now() + (o.budgetMs ?? Number.POSITIVE_INFINITY);
  const setups: MethodSetup[] = [];
  try {
    for (const method of o.methods) setups.push(setUpMethod(o, method));
    for (const s of setups) await warmUp(s, warmup);
    const rounds: [number, number][] = [];
    while (rounds.length < reps) {
      const last = rounds[rounds.length - 1];
      if (last && performance.now() + last[0] + last[1] > deadline) break;
      const a = await setups[0].step();
      const b = await setups[1].step();
      rounds.push([a, b]);
    }
    return { backend: o.backend, imgSize: o.imgSize ?? 224, methods: o.methods, rounds, medianRatio: median(rounds.map(([a, b]) => a / b)) };
  } finally {
    for (const s of setups) s.dispose();
  }
}
