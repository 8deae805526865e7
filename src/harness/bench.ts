/**
 * Training-step benchmark for `npm run bench` (scripts/bench.mjs drives it in headless Chromium).
 * Times whole steps (forward, backward, optimizer update, loss read back) on fixed random inputs after a
 * warm-up, and reports medians, images/s, tfjs's peak bytes during one step and optimizer-state bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { makeVitConfig, STUDY_LORA, type Method, type VitPresetName } from '../model/config';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { trainableVariables, trainStep } from '../train/step';
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
  peakBytes: number;
  optimizerStateBytes: number;
  trainableTensors: number;
  reps: number;
}

export interface BenchOptions {
  backend: BackendName;
  preset?: VitPresetName;
  imgSize?: number;
  batch?: number;
  methods?: Method[];
  warmup?: number;
  reps?: number;
  optimizer?: 'sgd' | 'adamw';
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runTrainingBench(raw: Record<string, unknown>): Promise<BenchRow[]> {
  const o = raw as unknown as BenchOptions;
  const report = await chooseBackend(o.backend);
  if (report.name !== o.backend) throw new Error(`backend ${o.backend} unavailable: ${report.reason}`);
  const preset = o.preset ?? 'vit_tiny_patch16';
  const imgSize = o.imgSize ?? 224;
  const batch = o.batch ?? 32;
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
    const times: number[] = [];
    const warmup = o.warmup ?? 2;
    const reps = o.reps ?? 5;
    for (let i = 0; i < warmup + reps; i++) {
      const t0 = performance.now();
      const loss = trainStep(model, trainable, optimizer, { x, y }, 1e-3);
      await loss.data();
      loss.dispose();
      if (i >= warmup) times.push(performance.now() - t0);
    }
    const profile = await tf.profile(async () => {
      const loss = trainStep(model, trainable, optimizer, { x, y }, 1e-3);
      await loss.data();
      loss.dispose();
    });
    const ms = median(times);
    rows.push({
      backend: report.name,
      method,
      preset,
      imgSize,
      batch,
      msMedian: ms,
      msMin: Math.min(...times),
      imagesPerSec: (batch * 1000) / ms,
      peakBytes: profile.peakBytes,
      optimizerStateBytes: optimizer.stateBytes(),
      trainableTensors: trainable.size,
      reps,
    });
    x.dispose();
    y.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return rows;
}
