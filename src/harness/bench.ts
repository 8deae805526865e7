/**
 * Training-step benchmark for `npm run bench` (scripts/bench.mjs drives it in headless Chromium).
 * Times whole steps (forward, backward, optimizer update, loss read back) on fixed random inputs after a
 * warm-up, and reports medians, images/s, tfjs's peak bytes during one step and optimizer-state bytes.
 *
 * The first step is the warm-up: it compiles kernels / shaders and allocates the optimizer state, so it is run
 * under tf.profile (peakBytes = the highest tf.memory().numBytes reached during the step, weights included)
 * and kept out of the median. Timed steps then run while `budgetMs` allows one more; a row says how many it got.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { makeVitConfig, STUDY_LORA, type Method, type VitPresetName } from '../model/config';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { trainableVariables, trainStep, type StepInputs } from '../train/step';
import type { Optimizer } from '../train/optimizers';
import { chooseBackend } from '../workers/backend';
import { makeOptimizer } from '../workers/buildRun';
import type { BackendName, RunConfig } from '../workers/protocol';

export interface BenchRow {
  backend: BackendName;
  method: Method;
  preset: VitPresetName;
  imgSize: number;
  batch: number;
  msMedian: number;
  msMin: number;
  imagesPerSec: number;
  /** Wall time of the profiled first step (kernel compilation and state allocation included). */
  warmupMs: number;
  peakBytes: number;
  optimizerStateBytes: number;
  trainableTensors: number;
  /** Kernels one step dispatches (from the profiled step): LoRA skips the frozen weights' gradient kernels. */
  kernelsPerStep: number;
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
}

export interface BenchEnvironment {
  backend: BackendName;
  backendReason: string;
  adapter?: string;
  wasmThreads?: number;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One step with the loss read back: the read-back waits for queued GPU work, so wall time is the step's cost. */
async function timedStep(model: VitModel, trainable: Map<string, tf.Variable>, optimizer: Optimizer, inputs: StepInputs): Promise<number> {
  const t0 = performance.now();
  const loss = trainStep(model, trainable, optimizer, inputs, 1e-3);
  await loss.data();
  loss.dispose();
  return performance.now() - t0;
}

/** Activates `backend` (with the lab's gradient self-check) and says what it is; throws when it cannot start. */
export async function prepareBackend(backend: BackendName, wasmThreads?: number): Promise<BenchEnvironment> {
  // Only takes effect before the WASM backend first starts in this page (bench.mjs opens a fresh page per backend).
  if (backend === 'wasm' && wasmThreads) setThreadsCount(wasmThreads);
  const report = await chooseBackend(backend);
  if (report.name !== backend) throw new Error(`backend ${backend} unavailable: ${report.rejected.map((r) => `${r.name}: ${r.why}`).join('; ')}`);
  return {
    backend: report.name,
    backendReason: report.reason,
    adapter: report.adapter,
    wasmThreads: backend === 'wasm' ? getThreadsCount() : undefined,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
}

export async function runTrainingBench(raw: Record<string, unknown>): Promise<BenchRow[]> {
  const o = raw as unknown as BenchOptions;
  await prepareBackend(o.backend, o.wasmThreads);
  const preset = o.preset ?? 'vit_tiny_patch16';
  const imgSize = o.imgSize ?? 224;
  const batch = o.batch ?? 32;
  const warmup = Math.max(1, o.warmup ?? 1);
  const reps = Math.max(1, o.reps ?? 5);
  const deadline = performance.now() + (o.budgetMs ?? Number.POSITIVE_INFINITY);
  const rows: BenchRow[] = [];
  for (const method of o.methods ?? (['lora', 'fft', 'linear'] as Method[])) {
    const cfg = makeVitConfig(preset, 14, { imgSize });
    const model = new VitModel(cfg, initVitParams(cfg, 1));
    if (method === 'lora') model.lora = LoraAdapter.create(cfg, { ...STUDY_LORA, r: 8, lora_dropout: 0 }, 2);
    const config = { optimizer: o.optimizer ?? 'sgd', momentum: 0.9, weightDecay: 0.05, layerDecay: 1 } as RunConfig;
    const optimizer = makeOptimizer(config, cfg.depth);
    const trainable = trainableVariables(model, method);
    const x = tf.randomNormal([batch, 1, imgSize, imgSize], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.cast(tf.greater(tf.randomUniform([batch, 14], 0, 1, 'float32', 4), 0.8), 'float32') as tf.Tensor2D;
    try {
      let warmupMs = 0;
      const profile = await tf.profile(async () => {
        warmupMs = await timedStep(model, trainable, optimizer, { x, y });
      });
      for (let i = 1; i < warmup; i++) await timedStep(model, trainable, optimizer, { x, y });
      const times: number[] = [];
      while (times.length < reps) {
        // Always one timed step; more only while the budget has room for another of the same length.
        if (times.length > 0 && performance.now() + times[times.length - 1] > deadline) break;
        times.push(await timedStep(model, trainable, optimizer, { x, y }));
      }
      const ms = median(times);
      rows.push({
        backend: o.backend,
        method,
        preset,
        imgSize,
        batch,
        msMedian: ms,
        msMin: Math.min(...times),
        imagesPerSec: (batch * 1000) / ms,
        warmupMs,
        peakBytes: profile.peakBytes,
        optimizerStateBytes: optimizer.stateBytes(),
        trainableTensors: trainable.size,
        kernelsPerStep: profile.kernels.length,
        largestKernels: [...profile.kernels]
          .sort((a, b) => b.bytesAdded - a.bytesAdded)
          .slice(0, 3)
          .map((k) => ({ name: k.name, bytesAdded: k.bytesAdded, outputShapes: k.outputShapes })),
        reps: times.length,
        repsRequested: reps,
      });
    } finally {
      x.dispose();
      y.dispose();
      optimizer.dispose();
      model.dispose();
    }
  }
  return rows;
}
