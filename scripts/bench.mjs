#!/usr/bin/env node
/**
 * `npm run bench`: training-step, ingest and streaming benchmarks (issues 3 and 4), one table and computed
 * target lines on stdout, JSON in bench-out/. Not a test: nothing here asserts a time.
 *
 *   node scripts/bench.mjs [--backends wasm,webgpu,webgl,cpu] [--sizes 112,224] [--methods lora,fft,linear]
 *                          [--reps 3] [--warmup 1] [--budget-s wasm=300,webgpu=60,webgl=60,cpu=60,torch=300]
 *                          [--no-build] [--no-torch] [--no-ingest] [--no-stream] [--stream-steps 40]
 *                          [--ingest-repeat 2] [--port 4175] [--wasm-threads N (diagnostic)]
 *
 * --budget-s takes one number (every backend and PyTorch) or backend=seconds pairs (the rest keep defaults).
 * A backend's budget covers all its rows; a row that does not fit is skipped and printed with the reason.
 * Browser: /usr/bin/chromium (CHROME_PATH overrides), headless, through playwright-core.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { dataLines, formatTable, targetLines } from './bench_report.mjs';
import { ensureBuild, startPreview } from './bench_server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'bench-out');
const nihDir = resolve(root, '..', 'shared', 'data', 'nih-sample');
const PYTHON = '/usr/bin/python3';
const DEFAULT_BUDGETS = { wasm: 300, webgpu: 60, webgl: 60, cpu: 60, torch: 300 };
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
    'ingest-repeat': { type: 'string', default: '2' },
    port: { type: 'string', default: '4175' },
    // Diagnostic only: XNNPACK threads for tfjs-wasm; by default the lab's own setting is measured.
    'wasm-threads': { type: 'string', default: '' },
  },
});

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const sizes = list(args.sizes).map(Number).sort((a, b) => a - b); // small first: its times predict the large ones
const methods = list(args.methods);
const reps = Number(args.reps);
const wasmThreads = args['wasm-threads'] ? Number(args['wasm-threads']) : undefined;
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
  try {
    const torch = await benchTorch();
    const rows = [];
    const environments = [];
    for (const backend of list(args.backends)) {
      const { rows: backendRows, env } = await benchBackend(server.url, backend);
      rows.push(...backendRows);
      if (env) environments.push(env);
    }
    const data = await benchData(server.url);
    const machine = { nproc: cpus().length, cpu: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, chromium: await chromiumVersion() };
    const record = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt) / 1000, machine, options: { sizes, methods, reps, warmup, budgets }, environments, rows, torch, ...data, skipped };
    mkdirSync(outRoot, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(outRoot, `bench-${stamp}.json`), JSON.stringify(record, null, 2));
    writeFileSync(join(outRoot, 'latest.json'), JSON.stringify(record, null, 2));

    console.log(`\nCXR PEFT Lab benchmark, ${startedAt.toISOString()} — ${machine.nproc} x ${machine.cpu}, ${machine.memoryGiB} GiB, Chromium ${machine.chromium}, node ${machine.node}${torch ? `, torch ${torch.torch} (${torch.threads} threads)` : ''}`);
    console.log(`ViT-Ti/16 (vit_tiny_patch16), batch 32, SGD momentum 0.9; median of timed steps after ${warmup} warm-up step(s); "reps" = timed/requested.\n`);
    console.log(formatTable(rows, torch));
    console.log('');
    for (const line of targetLines(rows, torch)) console.log(line);
    for (const line of dataLines(data.decode, data.pillow, data.stream)) console.log(line);
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
