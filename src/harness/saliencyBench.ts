/**
 * Saliency benchmark: how long each teaching-mode map takes from a preprocessed image to 8-bit heat values
 * (the map read back from the backend and passed through saliencyOverlay: what the page needs before it draws).
 * Runs on whatever backend is active: `runSaliencyBench` activates one as the lab does (for scripts/bench.mjs
 * through harness.html), scripts/bench_saliency.ts calls `measureSaliency` in Node.
 * Each method gets `warmup` untimed calls (kernel compilation, WASM/WebGPU program set-up), then `reps` timed
 * calls; the row reports the median. The model is freshly initialised (timm/MAE init, LoRA at the study's
 * settings): the cost does not depend on the weights' values.
 */
import * as tf from '@tensorflow/tfjs';
import { makeVitConfig, type VitPresetName } from '../run/vitConfig';
import { NORMALISATION } from '../run/vitConfig';
import { STUDY_LORA } from '../run/loraConfig';
import { mulberry32 } from '../run/random';
import type { BackendName } from '../run/backends';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { attentionRollout, gradientTimesInput, saliencyOverlay, smoothGrad, SMOOTH_GRAD_BATCH } from '../model/saliency';
import { preprocess } from '../train/augment';

export type SaliencyMethod = 'gradientTimesInput' | 'smoothGrad' | 'attentionRollout';

export const SALIENCY_METHODS: SaliencyMethod[] = ['gradientTimesInput', 'smoothGrad', 'attentionRollout'];

export interface SaliencyBenchOptions {
  /** default 'tiny' */
  preset?: VitPresetName;
  /** overrides the preset's input size */
  imgSize?: number;
  /** outputs of the head (default 14, NIH ChestX-ray14) */
  numClasses?: number;
  /** attach a LoRA adapter at the study's settings (default true: the lab's usual model) */
  lora?: boolean;
  methods?: SaliencyMethod[];
  /** untimed calls per method (default 1) */
  warmup?: number;
  /** timed calls per method (default 5) */
  reps?: number;
  /** SmoothGrad's noisy copies (default 16) and copies per pass (default SMOOTH_GRAD_BATCH) */
  smoothGradSamples?: number;
  smoothGradBatch?: number;
}

export interface SaliencyBenchRow {
  backend: string;
  method: SaliencyMethod;
  preset: VitPresetName;
  imgSize: number;
  lora: boolean;
  msMedian: number;
  msMin: number;
  /** every timed call, in the order run */
  timesMs: number[];
  /** the first (untimed) call, kernel set-up included */
  warmupMs: number;
  /** SmoothGrad only */
  samples?: number;
  batchSize?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One map from image to heat values; the read-back waits for queued GPU work, so wall time is the full cost. */
async function timedMap(run: () => { map: tf.Tensor } & Record<string, tf.Tensor>): Promise<number> {
  const t0 = performance.now();
  const result = run();
  saliencyOverlay(await result.map.data());
  tf.dispose(Object.values(result));
  return performance.now() - t0;
}

/** Times each saliency method on the active backend, one row per method. */
export async function measureSaliency(opts: SaliencyBenchOptions = {}): Promise<SaliencyBenchRow[]> {
  const preset = opts.preset ?? 'tiny';
  const cfg = makeVitConfig(preset, opts.numClasses ?? 14, opts.imgSize ? { imgSize: opts.imgSize } : {});
  const withLora = opts.lora ?? true;
  const samples = opts.smoothGradSamples ?? 16;
  const batchSize = opts.smoothGradBatch ?? SMOOTH_GRAD_BATCH;
  const model = new VitModel(cfg, initVitParams(cfg, 1));
  if (withLora) model.lora = LoraAdapter.create(cfg, STUDY_LORA, 1);
  const random = mulberry32(7);
  const pixels = Uint8Array.from({ length: cfg.imgSize * cfg.imgSize }, () => Math.floor(random() * 256));
  const image = preprocess(pixels, 1, cfg.imgSize, cfg.imgSize, NORMALISATION.mrm, null); // [1, 1, S, S]
  const calls: Record<SaliencyMethod, () => { map: tf.Tensor } & Record<string, tf.Tensor>> = {
    gradientTimesInput: () => ({ ...gradientTimesInput(model, image, 0) }),
    smoothGrad: () => ({ ...smoothGrad(model, image, 0, { samples, noiseStd: 0.15, seed: 1, batchSize }) }),
    attentionRollout: () => ({ ...attentionRollout(model, image) }),
  };
  const rows: SaliencyBenchRow[] = [];
  try {
    for (const method of opts.methods ?? SALIENCY_METHODS) {
      let warmupMs = 0;
      for (let i = 0; i < (opts.warmup ?? 1); i++) {
        const ms = await timedMap(calls[method]);
        if (i === 0) warmupMs = ms;
      }
      const timesMs: number[] = [];
      for (let i = 0; i < (opts.reps ?? 5); i++) timesMs.push(await timedMap(calls[method]));
      rows.push({
        backend: tf.getBackend(),
        method,
        preset,
        imgSize: cfg.imgSize,
        lora: withLora,
        msMedian: median(timesMs),
        msMin: Math.min(...timesMs),
        timesMs,
        warmupMs,
        ...(method === 'smoothGrad' ? { samples, batchSize } : {}),
      });
    }
  } finally {
    image.dispose();
    model.dispose();
  }
  return rows;
}

/** For harness.html / scripts/bench.mjs: activate `backend` as the lab does (bench.ts), then measureSaliency. */
export async function runSaliencyBench(raw: Record<string, unknown>): Promise<SaliencyBenchRow[]> {
  const o = raw as unknown as SaliencyBenchOptions & { backend: BackendName; wasmThreads?: number };
  const { prepareBackend } = await import('./bench');
  await prepareBackend(o.backend, o.wasmThreads);
  return measureSaliency(o);
}
