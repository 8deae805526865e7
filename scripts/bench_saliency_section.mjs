/**
 * The saliency rows of `npm run bench` (issue 13, teaching mode): how long each map takes on the WASM backend, from a
 * preprocessed image to 8-bit heat values, for each model preset asked for (the demo's `tiny`, and
 * `vit_tiny_patch16`, the shape of timm's vit_tiny_patch16_224). The measuring is src/harness/saliencyBench.ts in
 * harness.html; this file drives it in one fresh browser and formats the rows. Nothing here asserts a time.
 */

const METHODS = [
  ['gradientTimesInput', 'gradient x input'],
  ['attentionRollout', 'attention rollout'],
  ['smoothGrad', 'SmoothGrad'],
];

/**
 * Runs the saliency benchmark for each preset on `backend` within `budgetS` seconds in all (a preset not finished
 * by then is reported as skipped). `openHarness(browser)` gives a ready harness page; `launch()` a browser.
 */
export async function benchSaliency({ url, launch, openHarness, presets, reps, samples = 16, backend = 'wasm', budgetS = 300, log, skip }) {
  const rows = [];
  const started = Date.now();
  for (const preset of presets) {
    const left = budgetS * 1000 - (Date.now() - started);
    if (left <= 0) {
      skip(`saliency ${preset}`, `the saliency budget of ${budgetS} s is used up`);
      continue;
    }
    const browser = await launch();
    let timer;
    try {
      const { page } = await openHarness(browser, url);
      log(`saliency: ${preset} on ${backend}, ${reps} timed maps per method after 1 warm-up, SmoothGrad n=${samples}`);
      const options = { backend, preset, reps, warmup: 1, smoothGradSamples: samples };
      const result = await Promise.race([
        page.evaluate((o) => window.cxrHarness.saliencyBench(o), options),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not finished within the ${(left / 1000).toFixed(0)} s left of the saliency budget`)), left);
        }),
      ]);
      rows.push(...result);
      for (const r of result) log(`saliency: ${preset} ${r.method} median ${r.msMedian.toFixed(1)} ms`);
    } catch (error) {
      skip(`saliency ${preset}`, String(error.message ?? error).split('\n')[0]);
    } finally {
      clearTimeout(timer);
      await browser.close().catch(() => undefined);
    }
  }
  return rows;
}

/**
 * One line per preset: median (and fastest) ms per map for each method, and SmoothGrad's median over gradient x
 * input's (it runs `samples` noisy gradient passes, batched, so the ratio shows what the batching saves against
 * `samples` x 1). On a shared machine the fastest map is the better guide to the cost; the median is the typical wait.
 */
export function saliencyLines(rows) {
  if (!rows?.length) return [];
  const presets = [...new Set(rows.map((r) => r.preset))];
  const header = ['preset', 'size', 'backend', ...METHODS.map(([, label]) => `${label} ms`), 'SmoothGrad / gradient x input'];
  const lines = presets.map((preset) => {
    const mine = rows.filter((r) => r.preset === preset);
    const of = (m) => mine.find((r) => r.method === m);
    const cell = (m) => {
      const r = of(m);
      if (!r) return '-';
      const extra = r.samples ? ` (n=${r.samples}, ${r.batchSize}/pass)` : '';
      return `${r.msMedian.toFixed(1)} (min ${r.msMin.toFixed(1)})${extra}`;
    };
    const g = of('gradientTimesInput');
    const s = of('smoothGrad');
    return [preset, `${mine[0].imgSize}px`, mine[0].backend, ...METHODS.map(([m]) => cell(m)), g && s ? `${(s.msMedian / g.msMedian).toFixed(2)}` : '-'];
  });
  const reps = rows[0].timesMs.length;
  return [
    '',
    `Saliency maps (teaching mode; median (and fastest) ms per map of ${reps} after 1 warm-up, image to 8-bit heat values, LoRA at the study's settings):`,
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ];
}
