/**
 * Issue 3's benchmark on a machine with a real GPU, without a browser: the lab's own training-step measurement
 * (src/harness/trainingSteps.ts, the code `npm run bench` runs in Chromium) on tfjs-WebGPU over Dawn, after the
 * lab's PyTorch numerics check on that GPU. scripts/gpu/run.sh runs it next to PyTorch on CUDA.
 *
 *   DAWN_NODE=.../dawn.node node bench_gpu.mjs [--sizes 112,224] [--methods lora,fft,linear] [--reps 5]
 *       [--micro-batch N] [--out result.json]
 */
import './installDawn';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { measureTrainingSteps, type BenchRow } from '../../src/harness/trainingSteps';
import type { ForwardGolden } from '../../src/harness/numerics';
import { compareWithGolden, gradientSelfCheck } from '../../src/train/selfCheck';
import { FORWARD_FIXTURES } from '../../tests/model/goldenFixtures';
import type { Method } from '../../src/run/loraConfig';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '112,224' },
    methods: { type: 'string', default: 'lora,fft,linear' },
    reps: { type: 'string', default: '5' },
    'micro-batch': { type: 'string', default: '' },
    out: { type: 'string', default: '' },
  },
});

async function main(): Promise<void> {
  const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  const adapter = await gpu.requestAdapter();
  const info = adapter?.info ?? {};
  const adapterName = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  console.log(`adapter: ${adapterName || 'none'}`);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not start its WebGPU backend on this adapter');
  await tf.ready();

  // Numerics first: a fast GPU is only worth timing if it computes the same gradients as PyTorch.
  const selfCheck = await gradientSelfCheck();
  console.log(`gradient self-check: ${selfCheck.ok ? 'passed' : 'FAILED'} (max relative error ${selfCheck.maxRelError.toExponential(2)})`);
  const numerics: { fixture: string; method: string; logits: number; maxGrad: number }[] = [];
  for (const fixture of FORWARD_FIXTURES) {
    // Run from the repository root (run.sh does): the bundle lives elsewhere, the fixtures stay in the repo.
    const g = JSON.parse(readFileSync(`tests/fixtures/golden/${fixture}.json`, 'utf8')) as ForwardGolden;
    for (const method of Object.keys(g.results) as Method[]) {
      const c = await compareWithGolden(g, method, g.results[method]!);
      const maxGrad = Math.max(...Object.values(c.gradRelErrors));
      numerics.push({ fixture, method, logits: c.logitsRelError, maxGrad });
      console.log(`golden ${fixture} ${method}: logits ${c.logitsRelError.toExponential(2)} (tolerance 1e-5), gradients max ${maxGrad.toExponential(2)} (tolerance 1e-4)`);
    }
  }

  const rows: BenchRow[] = [];
  for (const size of args.sizes!.split(',').map(Number)) {
    for (const method of args.methods!.split(',') as Method[]) {
      const [row] = await measureTrainingSteps({
        backend: 'webgpu',
        imgSize: size,
        batch: 32,
        methods: [method],
        warmup: 2,
        reps: Number(args.reps),
        microBatch: args['micro-batch'] ? Number(args['micro-batch']) : undefined,
      });
      rows.push(row);
      console.log(`webgpu ${size}px ${method}: ${row.msMedian.toFixed(1)} ms/step (micro-batch ${row.microBatch}, peak ${(row.peakBytes / 2 ** 20).toFixed(0)} MiB, ${row.kernelsPerStep} kernels)`);
    }
  }
  const result = { adapter: adapterName, tfjs: tf.version.tfjs, node: process.version, selfCheck, numerics, rows };
  if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
