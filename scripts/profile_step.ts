/**
 * Where a training step's time goes, kernel by kernel (diagnostic, not a test): ViT-Ti/16 on tfjs in Node,
 * one profiled step after a warm-up, time summed per kernel name.
 *   npx vite-node scripts/profile_step.ts -- [method] [imgSize] [batch] [backend] [microBatch]
 *   (positional; defaults fft 112 32 wasm, whole batch; TOP=n rows, STOCK_MATMUL=1 without the lab's kernels)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmKernels } from '../src/model/wasmKernels';
import { makeVitConfig, STUDY_LORA, type Method } from '../src/model/config';
import { initVitParams } from '../src/model/init';
import { LoraAdapter } from '../src/model/lora';
import { VitModel } from '../src/model/vit';
import { trainableVariables, trainStep } from '../src/train/step';
import { makeOptimizer } from '../src/train/makeOptimizer';

const [method = 'fft', size = '112', batchArg = '32', backend = 'wasm', microArg] = process.argv.slice(2).filter((a) => a !== '--');
const microBatch = microArg ? Number(microArg) : undefined;

async function main(): Promise<void> {
  if (!process.env.STOCK_MATMUL) installWasmKernels();
  if (!(await tf.setBackend(backend))) throw new Error(`no backend ${backend}`);
  const imgSize = Number(size);
  const batch = Number(batchArg);
  const cfg = makeVitConfig('vit_tiny_patch16', 14, { imgSize });
  const model = new VitModel(cfg, initVitParams(cfg, 1));
  if (method === 'lora') model.lora = LoraAdapter.create(cfg, { ...STUDY_LORA, r: 8, lora_dropout: 0 }, 2);
  const trainable = trainableVariables(model, method as Method);
  const optimizer = makeOptimizer({ optimizer: 'sgd', momentum: 0.9, weightDecay: 0.05, layerDecay: 1 }, cfg.depth);
  const x = tf.randomNormal([batch, 1, imgSize, imgSize], 0, 1, 'float32', 3) as tf.Tensor4D;
  const y = tf.cast(tf.greater(tf.randomUniform([batch, 14], 0, 1, 'float32', 4), 0.8), 'float32') as tf.Tensor2D;
  const step = async () => {
    const loss = trainStep(model, trainable, optimizer, { x, y }, 1e-3, {}, microBatch);
    await loss.data();
    loss.dispose();
  };
  await step();
  let t0 = performance.now();
  await step();
  const plain = performance.now() - t0;
  t0 = performance.now();
  const info = await tf.profile(step);
  const profiled = performance.now() - t0;
  const byName = new Map<string, { ms: number; n: number }>();
  for (const k of info.kernels) {
    const key = k.name === 'BatchMatMul' || k.name === '_FusedMatMul' ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
    const e = byName.get(key) ?? { ms: 0, n: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.n += 1;
    byName.set(key, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`${backend} ${method} ${imgSize}px batch ${batch}: peak ${(info.peakBytes / 2 ** 20).toFixed(0)} MiB, step ${plain.toFixed(0)} ms (profiled ${profiled.toFixed(0)} ms, kernels sum ${total.toFixed(0)} ms, ${info.kernels.length} kernels)`);
  for (const [name, e] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 30))) {
    console.log(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(5)}x  ${((100 * e.ms) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
