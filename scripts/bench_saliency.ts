/**
 * Saliency timings in Node (src/harness/saliencyBench.ts), tfjs's CPU or WASM backend (the lab's WASM kernels
 * installed, as the page has them). Node's WASM runs one XNNPACK thread, so a browser with threads is faster.
 *   npx vite-node scripts/bench_saliency.ts -- [backend] [preset] [reps] [smoothGradSamples] [methods]
 *   (positional; defaults wasm tiny 5 16 all; methods comma-separated, e.g. gradientTimesInput,attentionRollout)
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installWasmKernels } from '../src/backends/wasmKernels';
import { measureSaliency, SALIENCY_METHODS, type SaliencyMethod } from '../src/harness/saliencyBench';
import type { VitPresetName } from '../src/run/vitConfig';

const [backend = 'wasm', preset = 'tiny', reps = '5', samples = '16', methods] = process.argv.slice(2).filter((a) => a !== '--');

async function main(): Promise<void> {
  installWasmKernels();
  if (!(await tf.setBackend(backend))) throw new Error(`no backend ${backend}`);
  const chosen = methods ? (methods.split(',') as SaliencyMethod[]) : SALIENCY_METHODS;
  for (const m of chosen) if (!SALIENCY_METHODS.includes(m)) throw new Error(`unknown method ${m}; known: ${SALIENCY_METHODS.join(', ')}`);
  const rows = await measureSaliency({ preset: preset as VitPresetName, reps: Number(reps), smoothGradSamples: Number(samples), methods: chosen });
  for (const r of rows) {
    const extra = r.samples ? ` (${r.samples} samples, ${r.batchSize} per pass)` : '';
    console.log(`${r.backend} ${r.preset} ${r.imgSize}px ${r.method}${extra}: median ${r.msMedian.toFixed(1)} ms, min ${r.msMin.toFixed(1)} ms, first call ${r.warmupMs.toFixed(1)} ms`);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
