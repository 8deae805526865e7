/**
 * Where one training step's time goes, kernel by kernel (a diagnostic, not a test): a ViT step on whatever
 * backend is active, one warm-up step, one plain timed step, then one step under tf.profile with kernel time
 * summed per kernel name (matmuls per input shapes). Used by scripts/profile_step.ts (Node) and
 * scripts/profile_browser.mjs (the harness page in Chromium).
 */
import * as tf from '@tensorflow/tfjs';
import { makeVitConfig, type VitPresetName } from '../run/vitConfig';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { makeOptimizer } from '../train/makeOptimizer';
import { trainableVariables, trainStep } from '../train/step';
import { STUDY_LORA, type Method } from '../run/loraConfig';

export interface ProfileOptions {
  method: Method;
  imgSize: number;
  batch: number;
  preset?: VitPresetName;
  microBatch?: number;
}

export interface KernelTotal {
  name: string;
  ms: number;
  calls: number;
}

export interface StepProfile {
  backend: string;
  options: ProfileOptions;
  stepMs: number;
  profiledMs: number;
  peakBytes: number;
  kernelCount: number;
  kernels: KernelTotal[];
}

export async function profileTrainingStep(o: ProfileOptions): Promise<StepProfile> {
  const cfg = makeVitConfig(o.preset ?? 'vit_tiny_patch16', 14, { imgSize: o.imgSize });
  const model = new VitModel(cfg, initVitParams(cfg, 1));
  if (o.method === 'lora') model.lora = LoraAdapter.create(cfg, { ...STUDY_LORA, r: 8, lora_dropout: 0 }, 2);
  const trainable = trainableVariables(model, o.method);
  const optimizer = makeOptimizer({ optimizer: 'sgd', momentum: 0.9, weightDecay: 0.05, layerDecay: 1 }, cfg.depth);
  const x = tf.randomNormal([o.batch, 1, o.imgSize, o.imgSize], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([o.batch, 14], 0, 1, 'float32', 4), 0.8), 'float32')) as tf.Tensor2D;
  const step = async () => {
    const loss = trainStep(model, trainable, optimizer, { x, y }, 1e-3, {}, o.microBatch);
    await loss.data();
    loss.dispose();
  };
  try {
    await step();
    let t0 = performance.now();
    await step();
    const stepMs = performance.now() - t0;
    t0 = performance.now();
    const info = await tf.profile(step);
    const profiledMs = performance.now() - t0;
    const totals = new Map<string, KernelTotal>();
    for (const k of info.kernels) {
      const name = k.name === 'BatchMatMul' || k.name === '_FusedMatMul' ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
      const total = totals.get(name) ?? { name, ms: 0, calls: 0 };
      total.ms += Number(k.kernelTimeMs);
      total.calls += 1;
      totals.set(name, total);
    }
    return {
      backend: tf.getBackend(),
      options: o,
      stepMs,
      profiledMs,
      peakBytes: info.peakBytes,
      kernelCount: info.kernels.length,
      kernels: [...totals.values()].sort((a, b) => b.ms - a.ms),
    };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** The profile as text: a header line, then one line per kernel name, largest first. */
export function formatStepProfile(p: StepProfile, top = 30): string {
  const sum = p.kernels.reduce((s, k) => s + k.ms, 0);
  const o = p.options;
  const lines = [
    `${p.backend} ${o.method} ${o.imgSize}px batch ${o.batch}${o.microBatch ? ` (micro-batch ${o.microBatch})` : ''}: peak ${(p.peakBytes / 2 ** 20).toFixed(0)} MiB, step ${p.stepMs.toFixed(0)} ms (profiled ${p.profiledMs.toFixed(0)} ms, kernels sum ${sum.toFixed(0)} ms, ${p.kernelCount} kernels)`,
  ];
  for (const k of p.kernels.slice(0, top)) {
    lines.push(`${k.ms.toFixed(0).padStart(7)} ms ${String(k.calls).padStart(5)}x  ${((100 * k.ms) / sum).toFixed(1).padStart(5)} %  ${k.name}`);
  }
  return lines.join('\n');
}
