#!/usr/bin/env node
/**
 * scripts/profile_step.ts in headless Chromium (diagnostic, not a test): the same profiled ViT step on the
 * lab's harness page, so the WASM backend runs with the lab's XNNPACK threads and the browser's own costs.
 *   node scripts/profile_browser.mjs [method] [imgSize] [batch] [backend] [microBatch]   (TOP=n rows)
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureBuild, startPreview } from './bench_server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench-out', 'dist');
const [method = 'fft', size = '112', batch = '32', backend = 'wasm', micro] = process.argv.slice(2);

console.error(ensureBuild(root, outDir));
const server = await startPreview(root, outDir, Number(process.env.PORT ?? 4176));
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true, args: ['--enable-unsafe-webgpu'] });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/harness.html`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  const options = { method, imgSize: Number(size), batch: Number(batch), microBatch: micro ? Number(micro) : undefined };
  const top = Number(process.env.TOP ?? 30);
  const { text } = await page.evaluate(([b, o, n]) => window.cxrHarness.profileStep(b, o, n), [backend, options, top]);
  console.log(text);
} finally {
  await browser.close();
  server.stop();
}
