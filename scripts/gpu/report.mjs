// Prints the GPU run as one table (tfjs-WebGPU over Dawn vs PyTorch CUDA, same steps):
//   node report.mjs tfjs.json torch.json [tfjs-batch32.json]
import { existsSync, readFileSync } from 'node:fs';

const read = (p) => (p && existsSync(p) && readFileSync(p, 'utf8').trim() ? JSON.parse(readFileSync(p, 'utf8')) : null);
const [tfjsPath, torchPath, wholeBatchPath] = process.argv.slice(2);
const tfjs = read(tfjsPath);
const torch = read(torchPath);
// Rows timed with whole batches of 32 (run.sh FULL_BATCH=1) follow the lab's own micro-batch rows.
const wholeBatch = read(wholeBatchPath);
if (tfjs && wholeBatch) tfjs.rows.push(...wholeBatch.rows);
const header = ['size', 'method', 'tfjs ms/step', 'micro-batch', 'peak tf bytes', 'PyTorch ms/step', 'tfjs/PyTorch'];
const lines = [];
for (const r of tfjs?.rows ?? []) {
  const t = torch?.rows?.find((x) => x.size === r.imgSize && x.method === r.method);
  lines.push([`${r.imgSize}px`, r.method, r.msMedian.toFixed(1), r.microBatch, `${(r.peakBytes / 2 ** 20).toFixed(0)} MiB`, t ? t.msMedian.toFixed(1) : '-', t ? (r.msMedian / t.msMedian).toFixed(2) : '-']);
}
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
const pad = (cells) => cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
console.log(`GPU: ${tfjs?.adapter ?? '?'} (tfjs ${tfjs?.tfjs ?? '?'}, ${tfjs?.node ?? '?'}); PyTorch ${torch?.torch ?? 'not run'} on ${torch?.device ?? '?'}`);
console.log('ViT-Ti/16, batch 32, SGD momentum 0.9, medians after warm-up');
console.log([pad(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(pad)].join('\n'));
const lora = (s) => tfjs?.rows?.find((r) => r.imgSize === s && r.method === 'lora');
const fft = (s) => tfjs?.rows?.find((r) => r.imgSize === s && r.method === 'fft');
for (const s of [112, 224]) {
  if (!lora(s) || !fft(s)) continue;
  const floor = lora(s).matmulMacs && fft(s).matmulMacs ? ` (matmul multiply-add floor ${(lora(s).matmulMacs / fft(s).matmulMacs).toFixed(3)})` : '';
  console.log(`LoRA step / FFT step on tfjs-WebGPU @${s}px = ${(lora(s).msMedian / fft(s).msMedian).toFixed(2)}${floor}`);
}
if (tfjs?.numerics) {
  const worst = tfjs.numerics.reduce((m, n) => ({ logits: Math.max(m.logits, n.logits), grad: Math.max(m.grad, n.maxGrad) }), { logits: 0, grad: 0 });
  console.log(`numerics vs PyTorch goldens on this GPU: logits max rel. error ${worst.logits.toExponential(2)} (tol 1e-5), gradients ${worst.grad.toExponential(2)} (tol 1e-4)`);
}
