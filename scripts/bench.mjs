#!/usr/bin/env node
/**
 * `npm run bench`: training-step, ingest and streaming benchmarks (issues 3 and 4), one table and computed
 * target lines on stdout, JSON in bench-out/. Not a test: nothing here asserts a time.
 *
 *   node scripts/bench.mjs [--backends wasm,webgpu,webgl,cpu] [--sizes 112,224] [--methods lora,fft,linear]
 *                          [--reps 3] [--warmup 1] [--budget-s wasm=300,webgpu=60,webgl=60,cpu=60,torch=300,paired=300]
 *                          [--no-build] [--no-torch] [--no-ingest] [--no-stream] [--stream-steps 40]
 *                          [--no-grid] [--grid-seeds 3] [--grid-steps 200]
 *                          [--ingest-repeat 2] [--port 4175] [--wasm-threads N] [--micro-batch N] (the last two: diagnostics)
 *                          [--no-saliency] [--saliency-presets tiny,vit_tiny_patch16] [--saliency-reps 5] [--no-ood]
 *   node scripts/bench.mjs --scale [--scale-out DIR] [--scale-copies 10] [--scale-batches 1000] [--scale-archives tar,zip]
 *                          [--scale-train-steps 1000] [--scale-nih-steps 200] [--scale-no-nih] [--no-build] [--port 4175]
 *
 * --budget-s takes one number (every backend and PyTorch) or backend=seconds pairs (the rest keep defaults).
 * A backend's budget covers all its rows; a row that does not fit is skipped and printed with the reason.
 * "paired" is the time per backend for the interleaved LoRA/FFT steps run after its rows, at each size where both
 * rows were measured (one LoRA step, one FFT step, repeated: the ratio of each round does not drift with the load).
 * Browser: /usr/bin/chromium (CHROME_PATH overrides), headless, through playwright-core.
 * Saliency (issue 13): median ms per map for gradient x input, attention rollout and SmoothGrad (16 samples) on WASM,
 * for each preset of --saliency-presets (src/harness/saliencyBench.ts). OOD guard (issue 13): held-out radiographs
 * and non-radiographs flagged (scripts/ood_bench.mjs).
 * --scale runs the scale section instead of the rest (scripts/bench_scale.mjs; ~10-15 min): 10,000 images ingested
 * from a folder and from each archive, 1,000 batches streamed, a 1,000-step run on the stored folder dataset, the
 * NIH 10 % training list (7,847 1024 px PNGs) ingested and trained on for 200 steps (tiny preset, WASM).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { dataLines, formatTable, targetLines } from './bench_report.mjs';
import { benchSaliency, saliencyLines } from './bench_saliency_section.mjs';
import { benchScale, scaleLines, scaleTable } from './bench_scale.mjs';
import { runOodBench } from './ood_bench.mjs';
import { ensureBuild, startPreview } from './bench_server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'bench-out');
const nihDir = resolve(root, '..', 'shared', 'data', 'nih-sample');
const PYTHON = '/usr/bin/python3';
const DEFAULT_BUDGETS = { wasm: 300, webgpu: 60, webgl: 60, cpu: 60, torch: 300, paired: 300 };
// Seconds a started row may run past its backend's budget before its page is closed.
const GRACE_S = 30;

const { values: args } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,webgpu,webgl,cpu' },
    sizes: { type: 'string', default: '112,224' },
    methods: { type: 'string', default: 'linear,lora,fft' },
    reps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    'budget-s': { type: 'string', default: '' },
    'no-build': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    'no-ingest': { type: 'boolean', default: false },
    'no-stream': { type: 'boolean', default: false },
    'stream-steps': { type: 'string', default: '40' },
    'no-grid': { type: 'boolean', default: false },
    'grid-seeds': { type: 'string', default: '3' },
    'grid-steps': { type: 'string', default: '200' },
    'ingest-repeat': { type: 'string', default: '2' },
    port: { type: 'string', default: '4175' },
    // Diagnostic only: XNNPACK threads for tfjs-wasm; by default the lab's own setting is measured.
    'wasm-threads': { type: 'string', default: '' },
    // Diagnostic only: images per gradient pass; by default the lab's choice for the backend's memory.
    'micro-batch': { type: 'string', default: '' },
    'no-saliency': { type: 'boolean', default: false },
    'saliency-presets': { type: 'string', default: 'tiny,vit_tiny_patch16' },
    'saliency-reps': { type: 'string', default: '5' },
    'no-ood': { type: 'boolean', default: false },
    // The scale section, run instead of the rest (it takes minutes); see scripts/bench_scale.mjs.
    scale: { type: 'boolean', default: false },
    'scale-out': { type: 'string', default: join(tmpdir(), 'cxr-scale-dataset') },
    'scale-copies': { type: 'string', default: '10' },
    'scale-batches': { type: 'string', default: '1000' },
    'scale-archives': { type: 'string', default: 'tar,zip' },
    'scale-train-steps': { type: 'string', default: '1000' },
    'scale-nih-steps': { type: 'string', default: '200' },
    'scale-no-nih': { type: 'boolean', default: false },
  },
});

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const sizes = list(args.sizes).map(Number).sort((a, b) => a - b); // small first: its times predict the large ones
const methods = list(args.methods);
const reps = Number(args.reps);
const wasmThreads = args['wasm-threads'] ? Number(args['wasm-threads']) : undefined;
const microBatch = args['micro-batch'] ? Number(args['micro-batch']) : undefined;
const warmup = Number(args.warmup);

function parseBudgets(text) {
  if (!text) return { ...DEFAULT_BUDGETS };
  if (/^\d+(\.\d+)?$/.test(text)) return Object.fromEntries(Object.keys(DEFAULT_BUDGETS).map((k) => [k, Number(text)]));
  const budgets = { ...DEFAULT_BUDGETS };
  for (const pair of list(text)) {
    const [name, seconds] = pair.split('=');
    if (!(name in budgets) || !(Number(seconds) > 0)) throw new Error(`--budget-s: cannot read "${pair}" (use e.g. wasm=300,cpu=60)`);
    budgets[name] = Number(seconds);
  }
  return budgets;
}
const budgets = parseBudgets(args['budget-s']);

const log = (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const skipped = [];
const skip = (what, reason) => {
  skipped.push({ what, reason });
  log(`SKIPPED ${what}: ${reason}`);
};

/**
 * Multiply-adds of one ViT forward pass per image (patch embedding, qkv, attention, proj, MLP) — used only to
 * predict a large-size row's step time from a measured small-size row, to decide whether it fits the budget.
 */
function vitMacs(size, dim = 192, depth = 12, patch = 16, mlpRatio = 4) {
  const patches = (size / patch) ** 2;
  const tokens = patches + 1;
  const perBlock = tokens * dim * dim * (3 + 1 + 2 * mlpRatio) + 2 * tokens * tokens * dim;
  return patches * patch * patch * 3 * dim + depth * perBlock;
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error(`timed out after ${(ms / 1000).toFixed(0)} s`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * One browser per backend: closing a page does not stop work already queued in Chromium's GPU process
 * (SwiftShader WebGPU keeps computing after its page is gone), so a timed-out backend would slow the next one.
 */
function launchBrowser() {
  const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  // --enable-unsafe-swiftshader: recent Chromium no longer falls back to SwiftShader for WebGL by itself.
  return chromium.launch({ executablePath, headless: true, args: ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

async function openHarness(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`${url}/harness.html`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  return { context, page };
}

async function benchBackend(url, backend) {
  const browser = await launchBrowser();
  try {
    return await benchBackendIn(browser, url, backend);
  } finally {
    await browser.close().catch(() => undefined);
  }
}

async function benchBackendIn(browser, url, backend) {
  const rows = [];
  const budgetMs = budgets[backend] * 1000;
  let started = Date.now();
  const remaining = () => budgetMs - (Date.now() - started);
  let harness = await openHarness(browser, url);
  let closedAfterTimeout = false;
  let env;
  try {
    env = await harness.page.evaluate(([b, t]) => window.cxrHarness.prepareBackend(b, t), [backend, wasmThreads]);
    log(`${backend}: ${env.backendReason}${env.wasmThreads ? `; XNNPACK threads: ${env.wasmThreads}` : ''}`);
    started = Date.now(); // the budget is for training steps; start-up and the self-check are not counted
  } catch (error) {
    skip(`${backend} (all rows)`, String(error.message ?? error).split('\n')[0]);
    return { rows, env: null, paired: [] };
  }
  for (const size of sizes) {
    for (const method of methods) {
      const what = `${backend} ${size}px ${method}`;
      if (closedAfterTimeout) {
        skip(what, `${backend}'s browser was closed after an earlier row timed out`);
        continue;
      }
      const smaller = rows.filter((r) => r.method === method && r.imgSize < size).at(-1);
      // Warm-up + one timed step, predicted from the same method at a smaller size.
      const predictedMs = smaller ? 2 * smaller.msMedian * (vitMacs(size) / vitMacs(smaller.imgSize)) : 0;
      if (remaining() <= 0 || predictedMs > remaining()) {
        const why = remaining() <= 0
          ? `${backend}'s budget of ${budgets[backend]} s is used up`
          : `predicted ~${(predictedMs / 2000).toFixed(0)} s/step (from ${smaller.imgSize}px, scaled by FLOPs) needs ~${(predictedMs / 1000).toFixed(0)} s for warm-up + 1 step, ${(remaining() / 1000).toFixed(0)} s of ${backend}'s budget left`;
        skip(what, why);
        continue;
      }
      log(`${what}: running (${(remaining() / 1000).toFixed(0)} s of budget left)`);
      try {
        const options = { backend, imgSize: size, methods: [method], batch: 32, warmup, reps, budgetMs: remaining(), wasmThreads, microBatch };
        const result = await withTimeout(
          harness.page.evaluate((o) => window.cxrHarness.bench(o), options),
          remaining() + GRACE_S * 1000,
          () => {
            closedAfterTimeout = true;
            void browser.close().catch(() => undefined);
          },
        );
        rows.push(...result);
        log(`${what}: ${result[0].msMedian.toFixed(0)} ms/step (median of ${result[0].reps}), first step ${result[0].warmupMs.toFixed(0)} ms`);
      } catch (error) {
        skip(what, `failed: ${String(error.message ?? error).split('\n')[0]}`);
        if (closedAfterTimeout) continue; // the browser was closed to stop its queued work
        await harness.context.close().catch(() => undefined);
        try {
          harness = await openHarness(browser, url); // a fresh page for the next row
        } catch (reopenError) {
          closedAfterTimeout = true;
          log(`${backend}: could not open a new page (${reopenError.message.split('\n')[0]})`);
        }
      }
    }
  }
  const paired = [];
  for (const size of sizes) {
    const lora = rows.find((r) => r.imgSize === size && r.method === 'lora');
    const fft = rows.find((r) => r.imgSize === size && r.method === 'fft');
    if (!lora || !fft || closedAfterTimeout) continue;
    const what = `${backend} ${size}px LoRA/FFT interleaved`;
    const budgetS = budgets.paired;
    // warm-up of both + one round, from the rows just measured
    if (2 * (lora.msMedian + fft.msMedian) > budgetS * 1000) {
      skip(what, `warm-up + one round (~${((2 * (lora.msMedian + fft.msMedian)) / 1000).toFixed(0)} s) does not fit the paired budget of ${budgetS} s`);
      continue;
    }
    log(`${what}: running (${budgetS} s budget)`);
    try {
      const options = { backend, imgSize: size, methods: ['lora', 'fft'], batch: 32, warmup, reps, budgetMs: budgetS * 1000, wasmThreads, microBatch };
      const result = await withTimeout(harness.page.evaluate((o) => window.cxrHarness.benchPaired(o), options), (budgetS + GRACE_S) * 1000, () => {
        closedAfterTimeout = true;
        void browser.close().catch(() => undefined);
      });
      paired.push(result);
      log(`${what}: median ratio ${result.medianRatio.toFixed(3)} over ${result.rounds.length} rounds`);
    } catch (error) {
      skip(what, `failed: ${String(error.message ?? error).split('\n')[0]}`);
    }
  }
  return { rows, env, paired };
}

function runPython(script, pyArgs, env = process.env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [join(root, 'scripts', script), ...pyArgs], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      for (const line of String(d).split('\n').filter(Boolean)) process.stderr.write(`  [${script}] ${line}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(JSON.parse(out)) : reject(new Error(`${script} exited ${code}: ${err.trim().split('\n').at(-1)}`))));
  });
}

async function hasTorch() {
  return new Promise((r) => {
    const child = spawn(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    child.on('error', () => r(false));
    child.on('close', (code) => r(code === 0));
  });
}

async function benchTorch() {
  if (args['no-torch']) return void skip('PyTorch rows', '--no-torch');
  if (!(await hasTorch())) return void skip('PyTorch rows', `${PYTHON} cannot import torch`);
  // The two OpenBLAS variables slow PyTorch down on this machine: removed for this process only.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  log(`PyTorch: sizes ${sizes.join(',')}, budget ${budgets.torch} s`);
  try {
    const torch = await runPython('bench_torch.py', ['--sizes', sizes.join(','), '--methods', methods.join(','), '--reps', String(reps), '--warmup', String(warmup), '--threads', '2', '--budget-s', String(budgets.torch)], env);
    for (const s of torch.skipped) skip(`torch-cpu ${s.size}px ${s.method}`, s.reason);
    return torch;
  } catch (error) {
    skip('PyTorch rows', error.message);
    return undefined;
  }
}

async function benchData(url) {
  const result = { decode: undefined, pillow: undefined, stream: undefined };
  if (args['no-ingest'] && args['no-stream']) return result;
  const images = readdirSync(join(nihDir, 'images')).filter((f) => f.toLowerCase().endsWith('.png')).sort();
  const csv = readdirSync(nihDir).filter((f) => f.startsWith('Data_Entry_2017') && f.endsWith('.csv'));
  const browser = await launchBrowser();
  try {
    const { page } = await openHarness(browser, url);
    await page.setInputFiles('#bench-files', [...csv.map((f) => join(nihDir, f)), ...images.map((f) => join(nihDir, 'images', f))]);
    if (!args['no-ingest']) {
      const repeat = Number(args['ingest-repeat']);
      log(`ingest: ${images.length} PNGs x ${repeat} through DecodePool`);
      result.decode = await page.evaluate((o) => window.cxrHarness.decodeBench(o), { size: 224, repeat });
      log(`ingest: Pillow with ${result.decode.processes} process(es)`);
      result.pillow = await runPython('bench_ingest_pillow.py', ['--processes', String(result.decode.processes), '--size', '224', '--repeat', String(repeat), '--images', join(nihDir, 'images')]).catch((error) => void skip('Pillow ingest', error.message));
    }
    if (!args['no-stream']) {
      log('streaming: ingestDataset + TrainingSession on wasm');
      result.stream = await page.evaluate((o) => window.cxrHarness.streamBench(o), { backend: 'wasm', preset: 'tiny', method: 'lora', batchSize: 32, steps: Number(args['stream-steps']) }).catch((error) => void skip('streaming benchmark', String(error.message ?? error).split('\n')[0]));
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  return result;
}

/** The demo grid (3 methods x 3 fractions x n seeds, tiny preset, WASM) end to end in the harness page (issue 11). */
async function benchGrid(url) {
  if (args['no-grid']) return undefined;
  const browser = await launchBrowser();
  try {
    const { page } = await openHarness(browser, url);
    log(`grid: 3 methods x 3 fractions x ${args['grid-seeds']} seeds on the demo, ${args['grid-steps']} steps each`);
    return await page.evaluate((o) => window.cxrHarness.gridBench(o), { seeds: Number(args['grid-seeds']), steps: Number(args['grid-steps']) });
  } catch (error) {
    skip('grid benchmark', String(error.message ?? error).split('\n')[0]);
    return undefined;
  } finally {
    await browser.close().catch(() => undefined);
  }
}

/** The grid row's lines: wall time, the share spent between runs (target < 5 %), storage per run. */
function gridLines(grid) {
  if (!grid) return [];
  const mb = (b) => (b / 1e6).toFixed(2);
  const scores = Object.entries(grid.meanTestMacroAuroc).map(([m, v]) => `${m} ${v === null ? 'n/a' : v.toFixed(3)}`).join(', ');
  return [
    `grid: ${grid.runs} runs of ${grid.steps} steps (batch ${grid.batchSize}) in ${grid.gridSeconds.toFixed(1)} s; between runs ${grid.overheadSeconds.toFixed(1)} s = ${(100 * grid.overheadShare).toFixed(1)} % of the grid (target < 5 %: ${grid.overheadShare < 0.05 ? 'met' : 'not met'})`,
    `grid: storage per run: checkpoints ${mb(grid.checkpointBytesPerRun)} MB${grid.estimateBytesPerRun === null ? '' : `, navigator.storage.estimate grew ${mb(grid.estimateBytesPerRun)} MB per run`}; mean test macro AUROC ${scores}`,
  ];
}

/** Saliency timings per preset on WASM (issue 13), each preset in a fresh browser. */
async function benchSaliencySection(url) {
  if (args['no-saliency']) return undefined;
  return benchSaliency({ url, launch: launchBrowser, openHarness, presets: list(args['saliency-presets']), reps: Number(args['saliency-reps']), samples: 16, backend: 'wasm', budgetS: 600, log, skip });
}

/** The out-of-distribution guard's held-out rates (issue 13), from scripts/ood_bench.mjs. */
async function benchOod(url) {
  if (args['no-ood']) return undefined;
  try {
    log('ood: the guard on held-out radiographs and non-radiographs (scripts/ood_bench.mjs)');
    const { summary, lines } = await runOodBench(url, { log });
    return { summary, lines };
  } catch (error) {
    skip('OOD guard rows', String(error.message ?? error).split('\n')[0]);
    return undefined;
  }
}

async function chromiumVersion() {
  const browser = await launchBrowser();
  const version = browser.version();
  await browser.close();
  return version;
}

/** The scale section (--scale). */
async function benchScaleSection(url) {
  const options = {
    out: args['scale-out'],
    copies: Number(args['scale-copies']),
    batches: Number(args['scale-batches']),
    archives: list(args['scale-archives']),
    trainSteps: Number(args['scale-train-steps']),
    nihSteps: Number(args['scale-nih-steps']),
    nih: !args['scale-no-nih'],
  };
  log(`scale: ${options.copies} copies of the Kermany set, archives ${options.archives.join(',') || 'none'}, ${options.batches} batches, ${options.trainSteps} steps${options.nih ? `, NIH 10 % + ${options.nihSteps} steps` : ''}`);
  return benchScale(url, options, log, skip);
}

async function mainScale() {
  const startedAt = new Date();
  log(ensureBuild(root, join(outRoot, 'dist'), { skip: args['no-build'] }));
  const server = await startPreview(root, join(outRoot, 'dist'), Number(args.port));
  try {
    const scale = await benchScaleSection(server.url);
    const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, chromium: await chromiumVersion() };
    const record = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt) / 1000, machine, scale, skipped };
    mkdirSync(outRoot, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(outRoot, `scale-${stamp}.json`), JSON.stringify(record, null, 2));
    console.log(`\nCXR PEFT Lab scale benchmark, ${startedAt.toISOString()} — ${machine.nproc} x ${machine.cpu}, ${machine.memoryGiB} GiB, Chromium ${machine.chromium}, node ${machine.node}\n`);
    for (const line of scaleTable(scale)) console.log(line);
    console.log('\nDetails:');
    for (const line of scaleLines(scale)) console.log(line);
    if (skipped.length) {
      console.log('\nSkipped (no number was made up for these):');
      for (const s of skipped) console.log(`  - ${s.what}: ${s.reason}`);
    }
    console.log(`\nJSON: bench-out/scale-${stamp}.json (${record.seconds.toFixed(0)} s in all)`);
  } finally {
    server.stop();
  }
}

async function main() {
  if (args.scale) return mainScale();
  const startedAt = new Date();
  log(ensureBuild(root, join(outRoot, 'dist'), { skip: args['no-build'] }));
  const server = await startPreview(root, join(outRoot, 'dist'), Number(args.port));
  try {
    const torch = await benchTorch();
    const rows = [];
    const paired = [];
    const environments = [];
    for (const backend of list(args.backends)) {
      const { rows: backendRows, env, paired: backendPaired } = await benchBackend(server.url, backend);
      rows.push(...backendRows);
      paired.push(...backendPaired);
      if (env) environments.push(env);
    }
    const data = await benchData(server.url);
    const grid = await benchGrid(server.url);
    const saliency = await benchSaliencySection(server.url);
    const ood = await benchOod(server.url);
    const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, chromium: await chromiumVersion() };
    const record = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt) / 1000, machine, options: { sizes, methods, reps, warmup, budgets }, environments, rows, paired, torch, ...data, grid, saliency, ood: ood?.summary, skipped };
    mkdirSync(outRoot, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(outRoot, `bench-${stamp}.json`), JSON.stringify(record, null, 2));
    writeFileSync(join(outRoot, 'latest.json'), JSON.stringify(record, null, 2));

    console.log(`\nCXR PEFT Lab benchmark, ${startedAt.toISOString()} — ${machine.nproc} x ${machine.cpu}, ${machine.memoryGiB} GiB, Chromium ${machine.chromium}, node ${machine.node}${torch ? `, torch ${torch.torch} (${torch.threads} threads)` : ''}`);
    console.log(`ViT-Ti/16 (vit_tiny_patch16), batch 32, SGD momentum 0.9; median of timed steps after ${warmup} warm-up step(s); "reps" = timed/requested.\n`);
    if (rows.length || torch?.rows?.length) console.log(`${formatTable(rows, torch)}\n`);
    for (const line of targetLines(rows, torch, paired)) console.log(line);
    for (const line of dataLines(data.decode, data.pillow, data.stream)) console.log(line);
    for (const line of gridLines(grid)) console.log(line);
    for (const line of saliencyLines(saliency)) console.log(line);
    if (ood) console.log(['', ...ood.lines].join('\n'));
    if (skipped.length) {
      console.log('\nSkipped (no number was made up for these):');
      for (const s of skipped) console.log(`  - ${s.what}: ${s.reason}`);
    }
    console.log(`\nJSON: bench-out/bench-${stamp}.json (${record.seconds.toFixed(0)} s in all)`);
  } finally {
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
