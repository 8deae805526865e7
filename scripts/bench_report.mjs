/**
 * Formatting of the benchmark's results (scripts/bench.mjs): one table and the issue's target checks as
 * computed lines. Pure functions of the measured rows; nothing here invents or fills in a number.
 */

const MB = 1024 * 1024;
const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(digits));
const bytes = (b) => (b === undefined || b === null ? '-' : b >= MB ? `${(b / MB).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

function pad(cells, widths) {
  return cells.map((c, i) => (i < 3 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

export function torchRowFor(torch, size, method) {
  return torch?.rows?.find((r) => r.size === size && r.method === method);
}

/** The one table: browser rows, then the PyTorch rows as their own backend "torch-cpu". */
export function formatTable(rows, torch) {
  const header = ['backend', 'size', 'method', 'ms/step', 'img/s', 'micro-batch', 'peak tf bytes', 'optimizer state', 'kernels', 'matmul GMAC', 'reps', 'PyTorch ms', 'tfjs/PyTorch'];
  const lines = rows.map((r) => {
    const t = torchRowFor(torch, r.imgSize, r.method);
    return [r.backend, `${r.imgSize}px`, r.method, fmt(r.msMedian, 0), fmt(r.imagesPerSec, 2), r.microBatch ?? '-', bytes(r.peakBytes), bytes(r.optimizerStateBytes), r.kernelsPerStep, r.matmulMacs === undefined ? '-' : fmt(r.matmulMacs / 1e9, 2), `${r.reps}/${r.repsRequested}`, t ? fmt(t.msMedian, 0) : '-', t ? fmt(r.msMedian / t.msMedian, 2) : '-'];
  });
  for (const t of torch?.rows ?? []) {
    lines.push([`torch-cpu (${torch.threads} thr)`, `${t.size}px`, t.method, fmt(t.msMedian, 0), fmt(t.imagesPerSec, 2), '-', '-', bytes(t.optimizerStateBytes), '-', '-', `${t.reps}/${t.repsRequested}`, fmt(t.msMedian, 0), '1.00']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  return [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map((l) => pad(l, widths))].join('\n');
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');

/** The target checks of issue 3, each a computed line (only where both numbers were measured). */
export function targetLines(rows, torch, paired = []) {
  const out = [];
  const find = (backend, size, method) => rows.find((r) => r.backend === backend && r.imgSize === size && r.method === method);
  const pairs = [...new Set(rows.map((r) => `${r.backend}|${r.imgSize}`))].map((k) => k.split('|'));
  for (const [backend, sizeText] of pairs) {
    const size = Number(sizeText);
    const lora = find(backend, size, 'lora');
    const fft = find(backend, size, 'fft');
    if (!lora || !fft) continue;
    const ratio = lora.msMedian / fft.msMedian;
    out.push(`LoRA step / FFT step on ${backend} @${size}px = ${ratio.toFixed(2)} (target <= 0.7): ${verdict(ratio <= 0.7)}`);
    if (lora.matmulMacs && fft.matmulMacs) {
      const floor = lora.matmulMacs / fft.matmulMacs;
      out.push(`  floor: LoRA / FFT matmul multiply-adds @${size}px = ${floor.toFixed(3)} (${fmt(lora.matmulMacs / 1e9, 2)} / ${fmt(fft.matmulMacs / 1e9, 2)} GMAC; the step ratio if only multiply-adds cost time, all at one speed)`);
    }
    const interleaved = paired.find((p) => p.backend === backend && p.imgSize === size);
    if (interleaved) {
      const r = interleaved.medianRatio;
      const spread = interleaved.rounds.map(([a, b]) => a / b);
      out.push(`LoRA step / FFT step on ${backend} @${size}px, steps interleaved = ${r.toFixed(2)} (median of ${spread.length} rounds, ${Math.min(...spread).toFixed(2)}-${Math.max(...spread).toFixed(2)}; target <= 0.7): ${verdict(r <= 0.7)}`);
    }
    const state = (100 * lora.optimizerStateBytes) / fft.optimizerStateBytes;
    out.push(`LoRA optimizer state / FFT on ${backend} @${size}px = ${state.toFixed(2)} % (target <= 2 %): ${verdict(state <= 2)}`);
  }
  for (const size of [...new Set((torch?.rows ?? []).map((t) => t.size))]) {
    const lora = torchRowFor(torch, size, 'lora');
    const fft = torchRowFor(torch, size, 'fft');
    if (lora && fft) out.push(`(context) PyTorch LoRA step / FFT step @${size}px = ${(lora.msMedian / fft.msMedian).toFixed(2)}`);
  }
  for (const t of torch?.rows ?? []) {
    const candidates = rows.filter((r) => r.imgSize === t.size && r.method === t.method);
    if (candidates.length === 0) continue;
    const best = candidates.reduce((a, b) => (b.msMedian < a.msMedian ? b : a));
    const ratio = best.msMedian / t.msMedian;
    out.push(`best browser backend / PyTorch @${t.size}px ${t.method} = ${ratio.toFixed(2)} (${best.backend}; target <= 2): ${verdict(ratio <= 2)}`);
  }
  return out;
}

export function dataLines(decode, pillow, stream) {
  const out = [];
  if (decode) {
    out.push(`ingest decode+resize to ${decode.size} gray, DecodePool (${decode.processes} worker${decode.processes === 1 ? '' : 's'}): ${fmt(decode.imagesPerSecond)} images/s over ${decode.images} images${decode.failed.length ? `, ${decode.failed.length} FAILED` : ''}`);
  }
  if (pillow) out.push(`ingest decode+resize, Pillow ${pillow.pillow} (${pillow.processes} process${pillow.processes === 1 ? '' : 'es'}, ${pillow.filter}): ${fmt(pillow.imagesPerSecond)} images/s over ${pillow.images} images`);
  if (decode && pillow) {
    const ratio = decode.imagesPerSecond / pillow.imagesPerSecond;
    out.push(`browser ingest / Pillow = ${ratio.toFixed(2)} x (target >= 0.8): ${verdict(ratio >= 0.8)}`);
  }
  if (stream) {
    const { ingest, training, readOnly } = stream;
    out.push(`ingestDataset into IndexedDB (decode + store, ${ingest.poolSize} worker${ingest.poolSize === 1 ? '' : 's'}): ${ingest.images} images in ${fmt(ingest.seconds)} s = ${fmt(ingest.imagesPerSecond)} images/s (${ingest.skipped} skipped)`);
    out.push(`BatchStream read alone: ${fmt(readOnly.imagesPerSecond, 0)} images/s`);
    out.push(`training ${training.preset} ${training.method} on ${training.backend}, batch ${training.batchSize}, ${training.steps} steps: median ${fmt(training.medianStepMs, 0)} ms/step, ${fmt(training.imagesReadPerSecond)} images/s read`);
    out.push(`data wait / step time = ${(100 * training.waitFraction).toFixed(2)} % (target < 5 %): ${verdict(training.waitFraction < 0.05)}`);
  }
  return out;
}
