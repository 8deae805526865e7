#!/usr/bin/env node
/**
 * Screenshots for the out-of-distribution guard's non-radiograph set (docs/ood-guard.md): headless Debian
 * Chromium renders HTML manuals installed under /usr/share/doc (numba, Node.js, Valgrind, libxslt, ...) at desktop,
 * laptop, tablet and phone viewports, light and dark colour schemes, scrolled to different places, and saves PNG or
 * JPEG screenshots into bench-out/ood-images/screenshots/. Local files only: requests that leave file:// are aborted.
 * Deterministic page choice (every k-th file of the sorted list) so every run shoots the same pages.
 *
 *   node scripts/ood_screenshots.mjs [--out bench-out/ood-images/screenshots] [--count 72]
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'bench-out', 'ood-images', 'screenshots') },
    count: { type: 'string', default: '72' },
    docs: { type: 'string', default: '/usr/share/doc' },
  },
});

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 1024, height: 1366 },
  { width: 390, height: 844 },
  { width: 800, height: 600 },
  { width: 1440, height: 900 },
];

function htmlFiles(dir, found = []) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return found;
  }
  for (const name of names) {
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) htmlFiles(path, found);
    else if (name.endsWith('.html') && stat.size > 2000) found.push(path);
  }
  return found;
}

async function main() {
  const count = Number(args.count);
  const pages = htmlFiles(args.docs);
  if (pages.length === 0) throw new Error(`no HTML files under ${args.docs}`);
  const step = Math.max(1, Math.floor(pages.length / count));
  const chosen = pages.filter((_, i) => i % step === 0).slice(0, count);
  mkdirSync(args.out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium' });
  try {
    for (const [i, path] of chosen.entries()) {
      const viewport = VIEWPORTS[i % VIEWPORTS.length];
      const context = await browser.newContext({ viewport, colorScheme: i % 4 === 3 ? 'dark' : 'light' });
      const page = await context.newPage();
      await page.route(/^(?!file:)/, (route) => route.abort());
      await page.goto(`file://${path}`, { waitUntil: 'load', timeout: 15_000 }).catch(() => undefined);
      if (i % 3 === 1) await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2)).catch(() => undefined);
      const name = `${String(i).padStart(3, '0')}_${path.split('/')[4]}`.replace(/[^A-Za-z0-9_.-]/g, '_');
      const jpeg = i % 5 === 4;
      await page.screenshot({ path: join(args.out, `${name}.${jpeg ? 'jpg' : 'png'}`), type: jpeg ? 'jpeg' : 'png', quality: jpeg ? 80 : undefined });
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots: ${chosen.length} images in ${args.out}`);
}

await main();
