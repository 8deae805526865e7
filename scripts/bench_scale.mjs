/**
 * The scale section of `npm run bench -- --scale` (issue "Nothing lost, whatever happens", section 4): the datasets
 * of scripts/make_scale_dataset.mjs through the lab's own ingest, stream and trainer in headless Chromium
 * (src/harness/scaleBench.ts), with heap samples and IndexedDB bytes per image. Phases:
 *   folder  10,000 Kermany JPEGs chosen as a folder (<input webkitdirectory>), then 1,000 batches streamed, then a
 *           1,000-step run of the lab's trainer on that stored dataset (tiny preset, LoRA, WASM);
 *   tar/zip the same images as one archive (<input multiple>), then 1,000 batches streamed;
 *   nih     the study's NIH 10 % training list (7,847 1024 px PNGs + train_10.txt + CSV rows) as a folder, then a
 *           run of the lab's trainer on the tiny preset.
 * Each phase gets its own browser with a fresh on-disk profile (IndexedDB on disk, as a user's browser keeps it;
 * no phase finds another's images already stored) and the flags that make heap figures exact (see heapSampler.ts).
 * Flatness, as the issue states it: the heap's increase from 1,000 images to the end is below 10 % of its increase
 * from 0 to 1,000 images (steps and batches: after the first mark, 100).
 * Ingest and stream samples come from the page (heapSampler.ts: measureUserAgentSpecificMemory, page + every worker).
 * Training samples come over the DevTools protocol (bench_cdp_heap.mjs: the page and the lab's trainer and ingest
 * workers, not tfjs-wasm's thread workers): with those threads waiting for work, measureUserAgentSpecificMemory only
 * answers after Chromium's 60 s timeout, longer than the whole run. The trainer's tfjs tensor counts and backend
 * bytes are printed beside them.
 * When ../shared/data lacks the Kermany radiographs the section is skipped and says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { attachCdpHeap } from './bench_cdp_heap.mjs';
import { KERMANY_SOURCE } from './make_scale_dataset.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FLAT_SHARE = 0.1;

function generate(out, copies, nih, log) {
  return new Promise((resolvePromise, reject) => {
    const args = [join(root, 'scripts', 'make_scale_dataset.mjs'), '--out', out, '--copies', String(copies), ...(nih ? [] : ['--no-nih'])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`make_scale_dataset.mjs exited ${code}`));
      const summary = JSON.parse(text.trim().split('\n').at(-1));
      log(`scale: dataset ${summary.reused ? 'reused' : `written in ${summary.seconds.toFixed(0)} s`} in ${summary.out}`);
      resolvePromise(summary);
    });
  });
}

/** Why the dataset cannot be made (the Kermany radiographs are missing), or null. */
function missingSources() {
  return existsSync(KERMANY_SOURCE) ? null : `${KERMANY_SOURCE} does not exist`;
}

/** A browser with its own on-disk profile, and the harness page with the scale inputs. */
async function openScalePage(url, log) {
  const profile = mkdtempSync(join(tmpdir(), 'cxr-scale-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--enable-precise-memory-info', // performance.memory without its 100 kB rounding and noise
      '--js-flags=--expose-gc', // gc() before each page heap reading
      '--enable-blink-features=ForceEagerMeasureMemory', // measureUserAgentSpecificMemory now, not at the next GC
      '--disable-background-networking', '--disable-component-update', '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => log(`scale page error: ${e.message}`));
  await page.goto(`${url}/harness.html`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  const env = await page.evaluate(() => window.cxrHarness.scaleInputs());
  const close = async () => {
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, env, close };
}

/**
 * The lab's trainer on a stored dataset, with heap samples over the DevTools protocol (bench_cdp_heap.mjs) at the
 * start (backend ready, before the first step), at the first step reported at or after each mark, and at the end.
 */
async function trainWithHeapSamples(page, options, marks) {
  const heap = await attachCdpHeap(page);
  try {
    await page.evaluate(() => window.cxrHarness.scaleTrainPrepare('wasm'));
    const samples = [await heap.sample('start', 0)];
    let done = false;
    const run = page.evaluate((o) => window.cxrHarness.scaleTrain(o), options).finally(() => (done = true));
    const pending = [...marks];
    while (!done && pending.length) {
      const step = await page.evaluate(() => window.cxrHarness.scaleTrainProgress());
      if (step >= pending[0]) {
        while (pending.length && step >= pending[0]) pending.shift();
        samples.push(await heap.sample(`${step.toLocaleString('en-US')} steps`, step));
      } else {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const result = await run;
    samples.push(await heap.sample('end', result.steps));
    return { ...result, samples };
  } finally {
    await heap.detach();
  }
}

async function timed(promise) {
  const started = Date.now();
  const value = await promise;
  return { value, seconds: (Date.now() - started) / 1000 };
}

/** One phase in its own browser: choose the files, ingest, then stream or train. */
async function runPhase(url, phase, log) {
  const { page, env, close } = await openScalePage(url, log);
  try {
    log(`scale ${phase.name}: choosing ${phase.what}`);
    const chosen = await timed(page.setInputFiles(phase.input === 'folder' ? '#scale-folder' : '#scale-files', phase.paths));
    log(`scale ${phase.name}: setInputFiles took ${chosen.seconds.toFixed(1)} s; ingesting`);
    const ingest = await page.evaluate((o) => window.cxrHarness.scaleIngest(o), { input: phase.input, name: phase.name, marks: phase.ingestMarks });
    log(`scale ${phase.name}: ${ingest.images} images in ${ingest.seconds.toFixed(1)} s (${ingest.imagesPerSecond.toFixed(0)} images/s)`);
    const record = { name: phase.name, what: phase.what, env, setInputFilesSeconds: chosen.seconds, ingest };
    if (phase.streamBatches) {
      log(`scale ${phase.name}: streaming ${phase.streamBatches} batches`);
      record.stream = await page.evaluate((o) => window.cxrHarness.scaleStream(o), { datasetId: ingest.datasetId, batches: phase.streamBatches, batchSize: 32, marks: phase.streamMarks });
      log(`scale ${phase.name}: stream ${record.stream.imagesPerSecond.toFixed(0)} images/s`);
    }
    if (phase.trainSteps) {
      log(`scale ${phase.name}: training ${phase.trainSteps} steps (tiny preset, LoRA, WASM)`);
      record.train = await trainWithHeapSamples(page, { datasetId: ingest.datasetId, steps: phase.trainSteps, batchSize: 32 }, phase.trainMarks);
      log(`scale ${phase.name}: ${record.train.steps} steps, median ${record.train.medianStepMs.toFixed(0)} ms, ${record.train.finalState}`);
    }
    return record;
  } finally {
    await close();
  }
}

/** Distinct marks strictly between 0 and `total`, in order. */
const marksBetween = (total, marks) => [...new Set(marks)].filter((m) => m > 0 && m < total).sort((x, y) => x - y);
const marksFor = (total) => marksBetween(total, [1000, Math.round(total / 2)]);

export async function benchScale(url, o, log, skip) {
  const missing = missingSources();
  if (missing) {
    skip('scale section', `the real radiographs it is made of are not there (${missing}); put ../shared/data beside the repository`);
    return undefined;
  }
  const data = await generate(o.out, o.copies, o.nih, log);
  const k = data.kermany;
  const phases = [
    {
      name: 'folder', what: `${k.images.toLocaleString('en-US')} JPEGs as a folder`, input: 'folder', paths: k.folder, ingestMarks: marksFor(k.images),
      streamBatches: o.batches, streamMarks: marksBetween(o.batches, [100, Math.round(o.batches / 2)]),
      trainSteps: o.trainSteps, trainMarks: marksBetween(o.trainSteps, [100, Math.round(o.trainSteps / 2)]),
    },
    ...o.archives.map((format) => ({
      name: format,
      what: `the same ${k.images.toLocaleString('en-US')} JPEGs as one .${format} (${(k[`${format}Bytes`] / 1e6).toFixed(0)} MB)`,
      input: 'files', paths: [k[format]], ingestMarks: marksFor(k.images), streamBatches: o.batches, streamMarks: marksBetween(o.batches, [100, Math.round(o.batches / 2)]),
    })),
  ];
  if (data.nih) {
    phases.push({
      name: 'nih-train10', what: `NIH 10 % training list: ${data.nih.images.toLocaleString('en-US')} 1024 px PNGs + train_10.txt + CSV rows as a folder`,
      input: 'folder', paths: data.nih.folder, ingestMarks: marksFor(data.nih.images),
      trainSteps: o.nihSteps, trainMarks: marksBetween(o.nihSteps, [100, Math.round(o.nihSteps / 2)]),
    });
  } else if (o.nih) {
    skip('scale nih-train10', data.nihMissing ?? 'the NIH files were not written');
  }
  const results = [];
  for (const phase of phases) {
    try {
      results.push(await runPhase(url, phase, log));
    } catch (error) {
      skip(`scale ${phase.name}`, `failed: ${String(error.message ?? error).split('\n')[0]}`);
    }
  }
  return { dataset: data, options: o, phases: results };
}

/** Heap growth after the first mark as a share of the growth before it (the issue's flatness test). */
export function flatness(samples, read) {
  const start = samples[0];
  const first = samples[1];
  const end = samples.at(-1);
  if (!start || !first || !end || first === end) return null;
  const [a, b, c] = [read(start), read(first), read(end)];
  if (a === null || b === null || c === null) return null;
  const early = b - a;
  const late = c - b;
  return { from: first.count, to: end.count, early, late, share: early > 0 ? late / early : null, met: early > 0 ? late < FLAT_SHARE * early : late <= 0 };
}

const mb = (bytes) => (bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
const signedMb = (bytes) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;
const totalBytes = (s) => s.measured?.total ?? null;

function sampleTable(samples) {
  return samples.map((s) => {
    const workers = s.measured ? Object.entries(s.measured.byWorker).sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, g]) => `${n} ${mb(g.bytes)}`).join(', ') : 'n/a';
    return `    ${s.label.padEnd(14)} page heap ${mb(s.pageHeapBytes).padStart(10)}; measured: all ${mb(s.measured?.total).padStart(10)}, page ${mb(s.measured?.page).padStart(9)}, workers ${mb(s.measured?.workers).padStart(9)} (${workers || 'none'}); measuring took ${(s.measureMs / 1000).toFixed(1)} s`;
  });
}

/**
 * The verdict is on everything measureUserAgentSpecificMemory sees (page + all workers); the parts are printed
 * beside it, without a verdict of their own (a part that grows by 0.1 MiB before the first mark has no useful ratio).
 */
function flatLines(samples, unit) {
  const f = flatness(samples, totalBytes);
  if (!f) return ['    flat: not measured (no measureUserAgentSpecificMemory figures)'];
  const n = (x) => x.toLocaleString('en-US');
  const share = f.share === null ? `the increase 0→${n(f.from)} is ${signedMb(f.early)}` : `${(100 * f.share).toFixed(1)} % of the increase 0→${n(f.from)} (${signedMb(f.early)})`;
  const part = (read) => {
    const p = flatness(samples, read);
    return p ? `${signedMb(p.early)} / ${signedMb(p.late)}` : 'n/a';
  };
  return [
    `    flat (page + workers): increase ${n(f.from)}→${n(f.to)} ${unit} = ${signedMb(f.late)} = ${share} (target < ${100 * FLAT_SHARE} %): ${f.met ? 'met' : 'NOT met'}`,
    `    parts, 0→${n(f.from)} / ${n(f.from)}→${n(f.to)}: page heap (usedJSHeapSize) ${part((s) => s.pageHeapBytes)}; page realm ${part((s) => s.measured?.page ?? null)}; workers ${part((s) => s.measured?.workers ?? null)}`,
  ];
}

export function scaleLines(scale) {
  if (!scale) return [];
  const lines = [];
  for (const p of scale.phases) {
    const i = p.ingest;
    lines.push(`scale ${p.name}: ${p.what}`);
    lines.push(`  ingest: ${i.images.toLocaleString('en-US')} images (${i.skipped} skipped, layout ${i.layout}, train/val/test ${i.counts.train}/${i.counts.val}/${i.counts.test}) in ${i.seconds.toFixed(1)} s = ${i.imagesPerSecond.toFixed(0)} images/s (${i.secondsBeforeDecoding.toFixed(1)} s before the first decode; setInputFiles ${p.setInputFilesSeconds.toFixed(1)} s)`);
    lines.push(`  IndexedDB: ${i.bytesPerImage === null ? 'n/a' : `${(i.bytesPerImage / 1024).toFixed(1)} KiB per image`} (navigator.storage.estimate grew ${mb(i.storageBytes)}; pixels alone ${((224 * 224) / 1024).toFixed(1)} KiB)`);
    lines.push(...sampleTable(i.samples));
    lines.push(...flatLines(i.samples, 'images'));
    if (p.stream) {
      const s = p.stream;
      lines.push(`  stream: ${s.batches} batches of ${s.batchSize} (${s.epochs} epochs of ${s.trainImages} train images) in ${s.seconds.toFixed(1)} s = ${s.imagesPerSecond.toFixed(0)} images/s; waiting ${(s.msWaiting / 1000).toFixed(1)} s (BatchStream on the page, consumer sums the pixels)`);
      lines.push(...sampleTable(s.samples));
      lines.push(...flatLines(s.samples, 'batches'));
    }
    if (p.train) {
      const t = p.train;
      const res = (r) => (r ? `${r.numTensors} tensors, backend ${mb(r.backendBytes)}` : 'n/a');
      lines.push(`  train: ${t.steps} steps ${t.preset} ${t.method} batch ${t.batchSize} on ${t.backend} (${t.finalState}${t.message ? `: ${t.message}` : ''}) in ${t.seconds.toFixed(1)} s, median step ${t.medianStepMs.toFixed(0)} ms, ${t.imagesPerSecond.toFixed(0)} images/s, ${t.evaluations} evaluations, last loss ${t.lastLoss?.toFixed(4) ?? 'n/a'}`);
      lines.push(`  train: data wait ${t.dataWaitShare === null ? 'n/a' : `${(100 * t.dataWaitShare).toFixed(1)} %`} of step time (mean of ${t.resourceSamples} trainer samples); tfjs first ${res(t.firstResources)}, last ${res(t.lastResources)}`);
      lines.push('    (heap over the DevTools protocol: V8 heaps of the page and of the trainer and ingest workers, after a collection each; tfjs-wasm thread workers not included)');
      lines.push(...sampleTable(t.samples));
      lines.push(...flatLines(t.samples, 'steps'));
    }
  }
  return lines;
}

/** "start 12.0 / 1,000 images 14.1 / ... / end 14.3 MiB" on everything measureUserAgentSpecificMemory sees. */
function heapFigures(samples) {
  const parts = samples.map((s) => `${s.label === 'start' || s.label === 'end' ? s.label : s.label.replace(/ \w+$/, '')} ${s.measured ? (s.measured.total / 2 ** 20).toFixed(1) : 'n/a'}`);
  return `${parts.join(' / ')} MiB`;
}

/** The growth after the first mark, absolute, per unit, and as a share of the growth before it (the verdict). */
function heapRatio(samples, unit) {
  const f = flatness(samples, totalBytes);
  if (!f) return 'n/a';
  const perUnit = `${(f.late / 1024 / (f.to - f.from)).toFixed(2)} KiB per ${unit}`;
  const growth = `${signedMb(f.late)} from ${f.from.toLocaleString('en-US')} to ${f.to.toLocaleString('en-US')} (${perUnit})`;
  if (f.share === null) return `${growth} after ${signedMb(f.early)} before: ${f.met ? 'met' : 'NOT met'}`;
  return `${growth} = ${(100 * f.share).toFixed(1)} % of the ${signedMb(f.early)} before (< ${100 * FLAT_SHARE} %: ${f.met ? 'met' : 'NOT met'})`;
}

/**
 * The section's summary as one markdown table: name, figures, ratio (with its target where the issue sets one).
 * Heap rows: page + all workers (measureUserAgentSpecificMemory after gc) at start / marks / end; the ratio is the
 * growth after the first mark over the growth before it.
 */
export function scaleTable(scale) {
  if (!scale?.phases?.length) return [];
  const rows = [];
  const n = (x) => x.toLocaleString('en-US');
  for (const p of scale.phases) {
    const i = p.ingest;
    rows.push([`${p.name} ingest`, `${n(i.images)} images in ${i.seconds.toFixed(1)} s = ${i.imagesPerSecond.toFixed(0)} images/s`, i.skipped ? `${i.skipped} skipped` : '-']);
    rows.push([`${p.name} IndexedDB / image`, i.bytesPerImage === null ? 'n/a' : `${(i.bytesPerImage / 1024).toFixed(1)} KiB`, i.bytesPerImage === null ? '-' : `${(i.bytesPerImage / (224 * 224)).toFixed(2)} x the 224 x 224 pixels`]);
    rows.push([`${p.name} ingest heap`, heapFigures(i.samples), heapRatio(i.samples, 'image')]);
    if (p.stream) {
      const s = p.stream;
      rows.push([`${p.name} stream`, `${n(s.batches)} batches of ${s.batchSize} in ${s.seconds.toFixed(1)} s = ${s.imagesPerSecond.toFixed(0)} images/s`, `${s.epochs} epochs of ${n(s.trainImages)}`]);
      rows.push([`${p.name} stream heap`, heapFigures(s.samples), heapRatio(s.samples, 'batch')]);
    }
    if (p.train) {
      const t = p.train;
      rows.push([`${p.name} train (${t.preset} ${t.method} ${t.backend})`, `${n(t.steps)} steps ${t.finalState} in ${t.seconds.toFixed(0)} s, median step ${t.medianStepMs.toFixed(0)} ms`, t.dataWaitShare === null ? 'data wait n/a' : `data wait ${(100 * t.dataWaitShare).toFixed(1)} % (< 5 %: ${t.dataWaitShare < 0.05 ? 'met' : 'NOT met'})`]);
      rows.push([`${p.name} train heap`, heapFigures(t.samples), heapRatio(t.samples, 'step')]);
    }
  }
  return ['| name | figures | ratio |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
