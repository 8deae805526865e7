#!/usr/bin/env node
/**
 * Measures the out-of-distribution guard (docs/ood-guard.md) in headless Chromium on the lab's own decode path:
 * every image goes through decode.worker.ts decodeWithStats and src/data/ood/scoreOod (harness.html,
 * window.cxrHarness.oodEval). Prints, for the HELD-OUT half of every set, the share of real chest radiographs
 * flagged and the share of non-radiographs flagged, with a per-source breakdown, and the decode-time cost of the
 * statistics. Writes every row (statistics, feature vector, verdict, split) to bench-out/ood/features.json, which
 * scripts/ood_fit.py fits the guard's model on (calibration half only).
 *
 * Sets (all local; nothing is downloaded):
 *   real:              ../shared/data NIH 1024 px PNGs, NIH 64 px PNGs, Kermany 224 px JPEGs, the real SIIM DICOM
 *   non-radiographs:   bench-out/ood-images/{skimage,faces-lfw,documents,charts,screenshots,medical-other}
 *                      (made by scripts/ood_make_images.py and scripts/ood_screenshots.mjs when missing)
 *   other radiographs: bench-out/ood-images/other-radiographs (one neck angiogram: reported, too few for a rate)
 * Split: sha1("<set>/<relative path>"), first byte even = calibration, odd = held-out; the DICOM and the other
 * radiographs are always held-out. Folds (for the fit's cross-fitted threshold): second byte mod 5.
 *
 *   node scripts/ood_bench.mjs [--no-build] [--port 4176] [--no-speed]
 *
 * From scripts/bench.mjs: `import { runOodBench } from './ood_bench.mjs'`, then
 * `const ood = await runOodBench(server.url, { log })` and print `ood.lines` (see the function's comment).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureBuild, startPreview } from './bench_server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '..', 'shared', 'data');
const imagesRoot = join(root, 'bench-out', 'ood-images');
const outDir = join(root, 'bench-out', 'ood');

/** Every set the guard is measured on: kind, folder, which files, and whether it is always held out. */
export const OOD_SETS = [
  { set: 'nih-1024', kind: 'real', dir: join(shared, 'nih-sample', 'images'), ext: ['.png'] },
  { set: 'nih-64', kind: 'real', dir: join(shared, 'nih1000-64px', 'NIH1000'), ext: ['.png'] },
  { set: 'kermany', kind: 'real', dir: join(shared, 'kermany-pneumonia-224', 'dataset'), ext: ['.jpeg', '.jpg'] },
  { set: 'rsna-dicom', kind: 'real', dir: join(shared, 'real-index'), ext: ['.dcm'], heldOut: true },
  ...['skimage', 'faces-lfw', 'documents', 'charts', 'screenshots', 'medical-other'].map((set) => ({ set, kind: 'non-radiograph', dir: join(imagesRoot, set), ext: ['.png', '.jpg', '.jpeg', '.dcm'] })),
  { set: 'other-radiographs', kind: 'other-radiograph', dir: join(imagesRoot, 'other-radiographs'), ext: ['.dcm', '.png', '.jpg'], heldOut: true },
];

function filesUnder(dir, ext, found = []) {
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, ext, found);
    else if (ext.some((e) => name.toLowerCase().endsWith(e))) found.push(path);
  }
  return found;
}

/** Calibration / held-out and the cross-fitting fold, from a hash of the set and the relative path. */
export function splitOf(set, relativePath, alwaysHeldOut = false) {
  const digest = createHash('sha1').update(`${set}/${relativePath}`).digest();
  return { split: alwaysHeldOut || digest[0] % 2 === 1 ? 'held-out' : 'calibration', fold: digest[1] % 5 };
}

/** Makes the non-radiograph images when their folder is missing (Debian packages only; see the two scripts). */
export function ensureOodImages(log = console.log) {
  if (!existsSync(join(imagesRoot, 'skimage'))) {
    log('ood: making the non-radiograph images (scripts/ood_make_images.py)');
    const made = spawnSync('/usr/bin/python3', [join(root, 'scripts', 'ood_make_images.py'), '--out', imagesRoot], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error('scripts/ood_make_images.py failed');
  }
  if (!existsSync(join(imagesRoot, 'screenshots'))) {
    log('ood: taking the screenshots (scripts/ood_screenshots.mjs)');
    const shot = spawnSync(process.execPath, [join(root, 'scripts', 'ood_screenshots.mjs'), '--out', join(imagesRoot, 'screenshots')], { stdio: 'inherit' });
    if (shot.status !== 0) throw new Error('scripts/ood_screenshots.mjs failed');
  }
}

async function openHarness(browser, url) {
  const page = await browser.newPage();
  await page.goto(`${url}/harness.html`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  return page;
}

/** Decodes and scores every file of every set; rows carry set, kind, split, fold and the harness's answer. */
export async function collectOodRows(page, log = console.log) {
  const rows = [];
  for (const spec of OOD_SETS) {
    const paths = filesUnder(spec.dir, spec.ext).filter((p) => spec.set !== 'rsna-dicom' || p.endsWith('siim_sample_jpeg_baseline.dcm'));
    if (paths.length === 0) {
      log(`ood: ${spec.set}: no files under ${spec.dir}`);
      continue;
    }
    const started = Date.now();
    for (let from = 0; from < paths.length; from += 250) {
      const chunk = paths.slice(from, from + 250);
      await page.setInputFiles('#bench-files', chunk);
      const answers = await page.evaluate((o) => window.cxrHarness.oodEval(o), { size: 224, workers: 2 });
      answers.forEach((answer, i) => {
        const path = chunk[i];
        if (answer.name !== path.split('/').pop()) throw new Error(`ood: file order changed (${answer.name} vs ${path})`);
        const rel = relative(spec.dir, path);
        rows.push({ set: spec.set, kind: spec.kind, path: rel, ...splitOf(spec.set, rel, spec.heldOut), ...answer });
      });
    }
    log(`ood: ${spec.set}: ${paths.length} images in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return rows;
}

function rate(rows) {
  const scored = rows.filter((r) => r.verdict);
  const flagged = scored.filter((r) => r.verdict.flagged).length;
  return { n: scored.length, flagged, rate: scored.length ? flagged / scored.length : Number.NaN, refused: rows.length - scored.length };
}

const pct = (x) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);

/** Held-out rates by kind and by set (calibration rates too, labelled as such), and printable lines. */
export function summariseOod(rows, speed) {
  const bySet = {};
  for (const spec of OOD_SETS) {
    const mine = rows.filter((r) => r.set === spec.set);
    if (mine.length) bySet[spec.set] = { kind: spec.kind, heldOut: rate(mine.filter((r) => r.split === 'held-out')), calibration: rate(mine.filter((r) => r.split === 'calibration')) };
  }
  const held = rows.filter((r) => r.split === 'held-out');
  const summary = {
    real: rate(held.filter((r) => r.kind === 'real')),
    nonRadiograph: rate(held.filter((r) => r.kind === 'non-radiograph')),
    otherRadiographs: held.filter((r) => r.kind === 'other-radiograph').map((r) => ({ path: r.path, flagged: r.verdict?.flagged ?? null, reason: r.verdict?.reason ?? r.error })),
    bySet,
    reasons: Object.entries(held.filter((r) => r.verdict?.flagged).reduce((acc, r) => ({ ...acc, [`${r.kind}: ${r.verdict.reason}`]: (acc[`${r.kind}: ${r.verdict.reason}`] ?? 0) + 1 }), {})),
    speed,
  };
  const setLine = (kind) =>
    Object.entries(bySet)
      .filter(([, s]) => s.kind === kind)
      .map(([name, s]) => `${name} ${s.heldOut.flagged}/${s.heldOut.n}`)
      .join(', ');
  const lines = [
    'Out-of-distribution guard (held-out halves; the model and threshold were fitted on the calibration halves):',
    `  real chest radiographs flagged: ${summary.real.flagged}/${summary.real.n} = ${pct(summary.real.rate)} (target <= 2 %): ${setLine('real')}`,
    `  non-radiographs flagged:        ${summary.nonRadiograph.flagged}/${summary.nonRadiograph.n} = ${pct(summary.nonRadiograph.rate)} (target >= 95 %): ${setLine('non-radiograph')}`,
    `  radiographs of other body parts: ${summary.otherRadiographs.map((o) => `${o.path} ${o.flagged ? 'flagged' : 'not flagged'}`).join(', ') || 'none found'} (too few for a rate)`,
  ];
  const refused = rows.filter((r) => r.error);
  if (refused.length) lines.push(`  refused by the decoder before the guard (not counted): ${refused.length} (${[...new Set(refused.map((r) => r.set))].join(', ')})`);
  if (speed) lines.push(`  decode cost of the statistics: ${pct(speed.overhead)} (${speed.images} images x ${speed.rounds}, ${(speed.decodeMs / speed.images / speed.rounds).toFixed(1)} ms plain vs ${(speed.decodeWithStatsMs / speed.images / speed.rounds).toFixed(1)} ms with statistics per image)`);
  return { summary, lines };
}

/** Plain decode vs decode + statistics on NIH 1024 px PNGs and Kermany JPEGs (alternated, one worker). */
export async function measureDecodeCost(page, count = 120, rounds = 3) {
  const nih = filesUnder(OOD_SETS[0].dir, ['.png']).slice(0, count / 2);
  const kermany = filesUnder(OOD_SETS[2].dir, ['.jpeg']).slice(0, count / 2);
  await page.setInputFiles('#bench-files', [...nih, ...kermany]);
  return page.evaluate((o) => window.cxrHarness.oodDecodeSpeed(o), { size: 224, rounds });
}

/**
 * For scripts/bench.mjs: given the preview server's URL, measures everything and returns { summary, lines, rows }.
 * `speed: false` skips the decode-cost measurement. Writes bench-out/ood/features.json.
 */
export async function runOodBench(url, { log = console.log, speed = true } = {}) {
  ensureOodImages(log);
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', headless: true });
  try {
    const page = await openHarness(browser, url);
    const rows = await collectOodRows(page, log);
    const cost = speed ? await measureDecodeCost(page) : undefined;
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'features.json'), JSON.stringify({ createdAt: new Date().toISOString(), rows }));
    return { ...summariseOod(rows, cost), rows };
  } finally {
    await browser.close().catch(() => undefined);
  }
}

async function main() {
  const { values: args } = parseArgs({
    options: { 'no-build': { type: 'boolean', default: false }, port: { type: 'string', default: '4176' }, 'no-speed': { type: 'boolean', default: false } },
  });
  const dist = join(root, 'bench-out', 'dist');
  console.log(ensureBuild(root, dist, { skip: args['no-build'] }));
  const server = await startPreview(root, dist, Number(args.port));
  try {
    const { lines, summary } = await runOodBench(server.url, { speed: !args['no-speed'] });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(summary, null, 2));
    console.log(lines.join('\n'));
  } finally {
    server.stop();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
