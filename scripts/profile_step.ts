/**
 * Where a training step's time goes, kernel by kernel (diagnostic, not a test): ViT-Ti/16 on tfjs in Node,
 * one profiled step after a warm-up, time summed per kernel name (src/harness/profileStep.ts).
 *   npx vite-node scripts/profile_step.ts -- [method] [imgSize] [batch] [backend] [microBatch]
 *   (positional; defaults fft 112 32 wasm, whole batch; TOP=n rows, STOCK_MATMUL=1 without the lab's kernels)
 * Node's WASM runs one XNNPACK thread; scripts/profile_browser.mjs profiles the same step in Chromium.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmKernels } from '../src/backends/wasmKernels';
import { formatStepProfile, profileTrainingStep } from '../src/harness/profileStep';
import type { Method } from '../src/run/loraConfig';

const [method = 'fft', size = '112', batchArg = '32', backend = 'wasm', microArg] = process.argv.slice(2).filter((a) => a !== '--');

async function main(): Promise<void> {
  if (!process.env.STOCK_MATMUL) installWasmKernels();
  if (!(await tf.setBackend(backend))) throw new Error(`no backend ${backend}`);
  const profile = await profileTrainingStep({
    method: method as Method,
    imgSize: Number(size),
    batch: Number(batchArg),
    microBatch: microArg ? Number(microArg) : undefined,
  });
  console.log(formatStepProfile(profile, Number(process.env.TOP ?? 30)));
}
main().catch((e) => { console.error(e); process.exit(1); });
