#!/usr/bin/env node
/**
 * Makes e2e/fixtures/pytorch-run/ for e2e/pytorch.spec.ts (issue 14's round trip; CI needs no Python): in headless
 * Chromium, the lab ingests the bundled demo and runs a one-cell grid (LoRA, 100 %, seed 1) with the e2e's settings,
 * "Export grid for PyTorch" saves the zip; the exported train.py then runs that cell for a few steps with Debian's
 * PyTorch and the real timm + PEFT (../shared/tools/torch-peft-venv.sh) on the demo's original files, and its output
 * (metrics.json, adapter/) is copied here. Usage: npx vite build && node scripts/make_pytorch_roundtrip_fixture.mjs
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'e2e', 'fixtures', 'pytorch-run');
const port = 4197;
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], { cwd: root, stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 4000));
const work = mkdtempSync(join(tmpdir(), 'pytorch-roundtrip-'));
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true });
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(`http://localhost:${port}/?backend=wasm`);
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  await page.getByText(/Ingested \d+ images/).waitFor({ timeout: 120_000 });
  for (const [name, value] of [['Steps', '20'], ['Batch size', '8'], ['Evaluate every', '10'], ['Validation images per evaluation', '32']]) {
    await page.getByRole('spinbutton', { name, exact: true }).fill(value);
  }
  const grid = page.getByRole('region', { name: '8. Experiment grid' });
  for (const name of ['Full fine-tuning', 'Linear probe', '1 %', '10 %']) await grid.getByRole('checkbox', { name, exact: true }).uncheck();
  await grid.getByRole('button', { name: 'Run grid (1 run)' }).click();
  await grid.getByText('Grid finished: 1 runs.').waitFor({ timeout: 300_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), grid.getByRole('button', { name: 'Export grid for PyTorch' }).click()]);
  const zip = unzipSync(new Uint8Array(execFileSync('cat', [await download.path()])));
  await browser.close();
  for (const [path, bytes] of Object.entries(zip)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), bytes);
  }
  // The zip holds one folder, named after the export.
  const exportDir = join(work, readdirSync(work)[0]);
  // A one-cell grid is exported as a single run (config.json); a larger one as configs/<cell>.json.
  const cells = readdirSync(exportDir).includes('configs') ? readdirSync(join(exportDir, 'configs')).map((f) => f.replace(/\.json$/, '')) : [];
  const cell = cells[0] ?? 'run';
  const configPath = cells.length > 0 ? `configs/${cell}.json` : 'config.json';
  const venv = execFileSync('bash', [join(root, '..', 'shared', 'tools', 'torch-peft-venv.sh')], { encoding: 'utf8' }).trim();
  execFileSync(join(venv, 'bin', 'python'), ['train.py', '--data', join(root, 'public', 'demo'), '--config', configPath, '--out', `runs/${cell}`, '--device', 'cpu', '--steps-override', '6'], { cwd: exportDir, stdio: 'inherit' });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, cell), { recursive: true });
  cpSync(join(exportDir, 'runs', cell, 'metrics.json'), join(out, cell, 'metrics.json'));
  mkdirSync(join(out, cell, 'adapter'), { recursive: true });
  for (const f of ['adapter_config.json', 'adapter_model.safetensors']) cpSync(join(exportDir, 'runs', cell, 'adapter', f), join(out, cell, 'adapter', f));
  writeFileSync(join(out, 'SOURCE.md'), `Made by scripts/make_pytorch_roundtrip_fixture.mjs: the output of the train.py that "Export grid for PyTorch"
wrote for a one-cell grid (LoRA, 100 % of the demo's training split, seed 1, 20 steps, batch 8), run for 6 steps
(--steps-override 6) on CPU with Debian's python3-torch and timm / peft from ../shared/tools/torch-peft-venv.sh on the
bundled demo images (public/demo, Kermany et al., CC BY 4.0). Only metrics.json and the PEFT adapter are kept.
`);
  console.log(`wrote ${out}`);
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
