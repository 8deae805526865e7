/**
 * Times bootstrapMacroAuroc on synthetic evaluations of the sizes the lab meets (NIH test split: ~25,000 images
 * x 14 labels), to check it fits in a worker call.  Run:  npx vite-node scripts/time_bootstrap.ts [images ...]
 */
import { mulberry32 } from '../src/run/random';
import { bootstrapMacroAuroc } from '../src/train/bootstrap';

const LABELS = 14;

function syntheticEvaluation(n: number, seed: number) {
  const random = mulberry32(seed);
  const scores = new Float32Array(n * LABELS);
  const targets = new Float32Array(n * LABELS);
  const mask = new Float32Array(n * LABELS);
  for (let i = 0; i < n * LABELS; i++) {
    const prevalence = 0.01 + 0.2 * ((i % LABELS) / LABELS); // rare to common labels
    targets[i] = random() < prevalence ? 1 : 0;
    scores[i] = Math.round(Math.min(1, Math.max(0, 0.3 * targets[i] + 0.7 * random())) * 1000) / 1000; // ties
    mask[i] = random() < 0.95 ? 1 : 0;
  }
  return { scores, targets, mask };
}

const sizes = process.argv.slice(2).map(Number).filter((v) => v > 0);
for (const n of sizes.length ? sizes : [3000, 25000]) {
  const { scores, targets, mask } = syntheticEvaluation(n, 42);
  bootstrapMacroAuroc(scores, targets, LABELS, mask, { resamples: 20 }); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = []; // CPU time of this process: less disturbed than wall time on a shared machine
  let result = null;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = bootstrapMacroAuroc(scores, targets, LABELS, mask, { resamples: 1000, seed: rep });
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const ms = (xs: number[]) => `median ${[...xs].sort((a, b) => a - b)[2].toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)} ms`;
  console.log(`${n} x ${LABELS}, 1000 resamples: wall ${ms(wall)}; cpu ${ms(cpu)}`, result);
}
