#!/usr/bin/env node
/**
 * Issue 12, long WebGPU runs: e2e/webgpu-memory.spec.ts checks in ~45 steps that the bytes the WebGPU backend really
 * allocated (numBytesAllocatedInGPU, its pool of freed buffers included; src/backends/webgpuPool.ts) stay flat; this
 * script runs the long version through the real page and prints what it measured. Not a test: nothing is asserted.
 *
 * One LoRA run (batch 1, no evaluation during the run) whose rank is moved 8 → 16 → 4 → 8 with the "LoRA rank"
 * slider at 3/14, 6/14 and 9/14 of its steps (150, 300, 450 of 700), then a Full fine-tuning run. Every `--every`
 * steps it reads the page's resource sample (`dl.resources`: data-step, data-backend-bytes, data-num-tensors).
 * Each run is left to finish (a finished LoRA run is scored on the test split). Prints a markdown table and the
 * ratios; writes every sample, the run logs and the page's console warnings/errors to bench-out/long-webgpu.json.
 *
 *   node scripts/bench_long_webgpu.mjs [--lora-steps 700] [--fft-steps 300] [--every 25] [--port 4199] [--no-build]
 *
 * Browser: /usr/bin/chromium (CHROME_PATH overrides), headless, --enable-unsafe-webgpu (SwiftShader without a GPU),
 * through playwright-core. The app is built into bench-out/dist-long-webgpu and served by `vite preview`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureBuild, startPreview } from './bench_server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'bench-out');
const distDir = join(outRoot, 'dist-long-webgpu');

const { values: args } = parseArgs({
  options: {
    'lora-steps': { type: 'string', default: '700' },
    'fft-steps': { type: 'string', default: '300' },
    every: { type: 'string', default: '' },
    port: { type: 'string', default: '4199' },
    'no-build': { type: 'boolean', default: false },
  },
});
const loraSteps = Number(args['lora-steps']);
const fftSteps = Number(args['fft-steps']);
// 25 steps for the 700-step run; proportionally fewer for a short smoke run, so each run still has samples.
const every = args.every ? Number(args.every) : Math.max(1, Math.min(25, Math.round(loraSteps / 28)));
const RANK_PLAN = [
  { fraction: 3 / 14, rank: 16 },
  { fraction: 6 / 14, rank: 4 },
  { fraction: 9 / 14, rank: 8 },
];
const START_RANK = 8;
// A run whose shown step does not move for this long is given up (a lost device can leave the page waiting).
const STALL_MS = 15 * 60_000;
const POLL_MS = 300;

const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);

/** The step status ("Step k of n · …") and the latest resource sample the page shows. */
async function readPage(page) {
  return page.evaluate(() => {
    const status = document.querySelector('p.step-status')?.textContent ?? '';
    const dl = document.querySelector('dl.resources');
    const num = (name) => Number(dl?.getAttribute(name) ?? 0);
    const msText = [...(dl?.querySelectorAll('.resource') ?? [])].find((d) => d.querySelector('dt')?.textContent === 'Time per step')?.querySelector('dd')?.textContent ?? '';
    return {
      status,
      shownStep: Number(/Step (\d+)/.exec(status)?.[1] ?? 0),
      sample: dl ? { step: num('data-step'), bytes: num('data-backend-bytes'), tensors: num('data-num-tensors'), pageMsPerStep: Number.parseFloat(msText) } : null,
    };
  });
}

/** Every line of the page's "Run log" with its level (info, warn, error). */
async function readRunLog(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('ol[aria-label="Run log"] > li')].map((li) => ({
      level: /log-(\w+)/.exec(li.className)?.[1] ?? 'info',
      message: li.textContent ?? '',
    })),
  );
}

async function configureRun(page, { method, steps }) {
  await page.getByRole('combobox', { name: 'Method' }).selectOption({ label: method });
  for (const [name, value] of [['Steps', steps], ['Batch size', 1], ['Evaluate every', 1000], ['Validation images per evaluation', 2]]) {
    await page.getByRole('spinbutton', { name, exact: true }).fill(String(value));
  }
}

/** The run's metrics file as "Download metrics" saves it (config, one record per step with its loss). */
async function downloadMetrics(page) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('button', { name: 'Download metrics', exact: true }).click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8'));
}

/** First, lowest, highest and last training loss, and the steps whose loss was non-finite or above 10 (nonFiniteLoss.ts). */
function lossSummary(metrics) {
  const steps = metrics?.steps ?? [];
  if (steps.length === 0) return null;
  const losses = steps.map((s) => s.loss);
  const finite = losses.filter(Number.isFinite);
  const diverged = steps.filter((s) => !Number.isFinite(s.loss) || s.loss > 10);
  return {
    first: losses[0],
    min: Math.min(...finite),
    max: Math.max(...finite),
    last: losses.at(-1),
    nonFinite: losses.length - finite.length,
    divergedSteps: diverged.map((s) => s.step),
  };
}

/**
 * Starts a run and follows it to its end: samples every `every` steps, moves the rank slider when the shown step
 * reaches a planned change, and returns the samples, the end state and the run log.
 */
async function followRun(page, { name, method, steps, rankChanges }) {
  await configureRun(page, { method, steps });
  if (method === 'LoRA') await page.getByRole('slider', { name: 'LoRA rank' }).fill(String(START_RANK));
  const startedAt = Date.now();
  await page.getByRole('button', { name: 'Start training' }).click();
  log(`${name}: started (${method}, ${steps} steps, batch 1)`);
  const samples = [];
  const applied = [];
  let rank = method === 'LoRA' ? START_RANK : null;
  let nextSampleAt = every;
  let lastStep = -1;
  let lastMoveAt = Date.now();
  let endStatus = '';
  let lastPageMs = NaN;
  for (;;) {
    const { status, shownStep, sample } = await readPage(page);
    if (shownStep !== lastStep) {
      lastStep = shownStep;
      lastMoveAt = Date.now();
    }
    const pending = rankChanges.find((c) => !applied.includes(c));
    if (pending && shownStep >= pending.at) {
      await page.getByRole('slider', { name: 'LoRA rank' }).fill(String(pending.rank));
      applied.push(pending);
      // The page applies a change at the next training step: samples after this step are of the new rank.
      pending.appliedAfterStep = shownStep;
      log(`${name}: rank ${rank} → ${pending.rank} at shown step ${shownStep}`);
      rank = pending.rank;
    }
    if (sample && sample.step >= nextSampleAt && sample.step <= steps) {
      const phase = method === 'LoRA' ? `r ${rankChanges.filter((c) => applied.includes(c) && c.appliedAfterStep < sample.step).at(-1)?.rank ?? START_RANK}` : 'FFT';
      samples.push({ run: name, phase, step: sample.step, bytes: sample.bytes, tensors: sample.tensors, pageMsPerStep: sample.pageMsPerStep, wallMs: Date.now() - startedAt });
      lastPageMs = sample.pageMsPerStep;
      nextSampleAt = (Math.floor(sample.step / every) + 1) * every;
      if (sample.step % (every * 4) < every) log(`${name}: step ${sample.step}, ${mib(sample.bytes)} MiB, ${sample.tensors} tensors, page ${sample.pageMsPerStep} ms/step`);
    }
    if (/· (finished|stopped|failed)/.test(status)) {
      endStatus = status;
      break;
    }
    if (Date.now() - lastMoveAt > STALL_MS) {
      endStatus = `gave up: the shown step stayed at ${shownStep} for ${STALL_MS / 60_000} min (${status})`;
      break;
    }
    await sleep(POLL_MS);
  }
  const wallMs = Date.now() - startedAt;
  // The resource sample the page shows once the run has ended (after scoring, for a finished LoRA run).
  const after = (await readPage(page)).sample;
  const runLog = await readRunLog(page);
  log(`${name}: ${endStatus} after ${(wallMs / 1000).toFixed(0)} s`);
  const metrics = await downloadMetrics(page).catch((e) => ({ error: String(e) }));
  const losses = lossSummary(metrics);
  return { name, method, steps, endStatus, wallMs, samples, after, runLog, config: metrics.config ?? null, losses, stepRecords: metrics.steps ?? [], metricsError: metrics.error, lastPageMsPerStep: lastPageMs, rankChanges: rankChanges.map(({ at, rank: r, appliedAfterStep }) => ({ at, rank: r, appliedAfterStep })) };
}

/** ms per step between consecutive samples of a run (wall clock, so page overheads are included). */
function msPerStepIntervals(samples) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const dStep = samples[i].step - samples[i - 1].step;
    if (dStep > 0) out.push((samples[i].wallMs - samples[i - 1].wallMs) / dStep);
  }
  return out;
}

function report(runs, totalMs) {
  const lines = ['| run | phase (rank) | step | backend bytes | tensors |', '|---|---|---:|---:|---:|'];
  for (const r of runs) {
    for (const s of r.samples) lines.push(`| ${r.name} | ${s.phase} | ${s.step} | ${s.bytes.toLocaleString('en-US')} | ${s.tensors} |`);
    if (r.after) lines.push(`| ${r.name} | after the run | ${r.after.step} | ${r.after.bytes.toLocaleString('en-US')} | ${r.after.tensors} |`);
  }
  const summary = [];
  const [lora, fft] = runs;
  if (lora?.samples.length) {
    const first = lora.samples[0];
    const back8 = lora.rankChanges.at(-1);
    const afterBack = lora.samples.filter((s) => back8?.appliedAfterStep !== undefined && s.step > back8.appliedAfterStep);
    const last = afterBack.at(-1);
    const max = lora.samples.reduce((m, s) => (s.bytes > m.bytes ? s : m));
    if (last) summary.push(`LoRA: step ${first.step} ${first.bytes.toLocaleString('en-US')} B (${first.tensors} tensors) vs step ${last.step} after the rank went back to 8: ${last.bytes.toLocaleString('en-US')} B (${last.tensors} tensors), ratio ${(last.bytes / first.bytes).toFixed(3)}`);
    else summary.push('LoRA: no sample after the rank went back to 8');
    summary.push(`LoRA: max ${max.bytes.toLocaleString('en-US')} B at step ${max.step} (${max.phase}) / first sample = ${(max.bytes / first.bytes).toFixed(3)}`);
  }
  if (fft?.samples.length) {
    const first = fft.samples[0];
    const last = fft.samples.at(-1);
    summary.push(`FFT: step ${first.step} ${first.bytes.toLocaleString('en-US')} B (${first.tensors} tensors) vs step ${last.step} ${last.bytes.toLocaleString('en-US')} B (${last.tensors} tensors), ratio ${(last.bytes / first.bytes).toFixed(3)}`);
  }
  for (const r of runs) {
    const intervals = msPerStepIntervals(r.samples);
    summary.push(`${r.name}: ${r.endStatus}; wall ${(r.wallMs / 60_000).toFixed(1)} min; ms/step median ${median(intervals).toFixed(0)} (wall clock between samples), page's last ${r.lastPageMsPerStep} ms`);
  }
  for (const r of runs) {
    const l = r.losses;
    if (!l) summary.push(`${r.name}: no training losses (${r.metricsError ?? 'empty metrics file'})`);
    else summary.push(`${r.name}: training loss first ${l.first.toFixed(3)}, min ${l.min.toFixed(3)}, max ${l.max.toFixed(3)}, last ${l.last.toFixed(3)}; ${l.nonFinite} non-finite, ${l.divergedSteps.length} above 10${l.divergedSteps.length ? ` (steps ${l.divergedSteps.slice(0, 10).join(', ')}${l.divergedSteps.length > 10 ? ', …' : ''})` : ''}`);
  }
  summary.push(`Total wall time ${(totalMs / 60_000).toFixed(1)} min on ${cpus().length} cores`);
  return { table: lines.join('\n'), summary };
}

log(ensureBuild(root, distDir, { skip: args['no-build'] }));
const server = await startPreview(root, distDir, Number(args.port));
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const consoleLines = [];
const startedAt = Date.now();
const runs = [];
let failure = null;
try {
  const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleLines.push({ type: m.type(), text: m.text(), atMs: Date.now() - startedAt });
  });
  page.on('pageerror', (e) => consoleLines.push({ type: 'pageerror', text: e.message, atMs: Date.now() - startedAt }));
  await page.goto(`${server.url}/?backend=webgpu`);
  const backend = page.getByRole('status').filter({ hasText: 'Backend: ' }).first();
  await backend.waitFor({ timeout: 120_000 });
  await page.getByRole('status').filter({ hasText: 'Backend: webgpu' }).waitFor({ timeout: 120_000 });
  log(`page: ${(await backend.textContent())?.trim()}`);
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  await page.getByText(/Ingested \d+ images/).waitFor({ timeout: 300_000 });
  log('page: demo dataset ingested');
  const rankChanges = RANK_PLAN.map((c) => ({ at: Math.max(1, Math.round(c.fraction * loraSteps)), rank: c.rank }));
  runs.push(await followRun(page, { name: 'LoRA', method: 'LoRA', steps: loraSteps, rankChanges }));
  runs.push(await followRun(page, { name: 'FFT', method: 'Full fine-tuning', steps: fftSteps, rankChanges: [] }));
} catch (e) {
  failure = e instanceof Error ? e.stack ?? e.message : String(e);
  log(`failed: ${failure}`);
} finally {
  await browser.close();
  server.stop();
}
const totalMs = Date.now() - startedAt;
const { table, summary } = report(runs, totalMs);
console.log(`\n${table}\n`);
for (const line of summary) console.log(line);
for (const r of runs) {
  const flagged = r.runLog.filter((l) => l.level !== 'info');
  console.log(`\n${r.name} run log: ${r.runLog.length} lines, ${flagged.length} warn/error`);
  for (const l of flagged) console.log(`  ${l.message}`);
}
console.log(`\nPage console warnings/errors: ${consoleLines.length}`);
for (const c of consoleLines) console.log(`  [${c.type}] ${c.text}`);
mkdirSync(outRoot, { recursive: true });
const outFile = join(outRoot, 'long-webgpu.json');
writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loraSteps, fftSteps, every, totalMs, failure, runs, consoleLines, summary }, null, 2));
console.log(`\nwrote ${outFile}`);
if (failure) process.exitCode = 1;
