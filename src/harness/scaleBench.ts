/**
 * The scale benchmark's page side (issue "Nothing lost, whatever happens", section 4), driven by scripts/bench.mjs
 * --scale. Everything goes through the lab's own client (src/workers/client.ts), as the page does: files chosen on an
 * <input> become FileEntries with `filesFromInput`, `ingest` runs in the ingest worker with its nested decode
 * workers and writes IndexedDB, and training runs in the training worker. Around that it measures
 * - ingest: images/s over the whole call (listing, archive expansion, parsing included), heap samples (heapSampler.ts)
 *   at the start, after `marks` images (e.g. 1,000 and the middle) and at the end, and IndexedDB bytes per image
 *   (navigator.storage.estimate() before and after);
 * - stream: `BatchStream` read on the page by a cheap consumer (sums each batch's pixels), images/s and heap samples;
 * - train: a run of the lab's trainer (tiny preset by default) with step times, the trainer's own data-wait share
 *   and tfjs memory (its `resources` messages). Its heap samples are taken from outside, by scripts/bench_scale.mjs
 *   over the DevTools protocol, at the steps `scaleTrainProgress()` reports: while tfjs-wasm's thread workers wait
 *   for work, measureUserAgentSpecificMemory only answers after Chromium's 60 s timeout, longer than a whole
 *   1,000-step tiny run, so a page-side sample "at step 100" would really be taken after the run.
 * Inputs: scaleInputs() adds <input id="scale-folder" webkitdirectory> (a folder as "Choose folder" gives it) and
 * <input id="scale-files" multiple> (archives or loose files); Playwright's setInputFiles fills them.
 */
import { BatchStream } from '../data/batches';
import { recipeValues } from '../run/recipes';
import { STUDY_LORA, type Method } from '../run/loraConfig';
import type { VitPresetName } from '../run/vitConfig';
import type { IngestChoices, IngestProgress } from '../run/datasets';
import type { ResourceSample, RunConfig, TrainerMessage } from '../run/records';
import { createLabClient, type LabClient } from '../workers/client';
import { HeapSampler, measureMemoryAvailable, type HeapSample } from './heapSampler';

export const SCALE_FOLDER_INPUT = 'scale-folder';
export const SCALE_FILES_INPUT = 'scale-files';

let client: LabClient | undefined;
/** One client per page, as the lab has: its workers live as long as the page. */
const labClient = () => (client ??= createLabClient());

/**
 * Adds the two inputs and starts the lab's client with both its workers loaded, as the lab's page is once it has
 * listed the stored datasets and runs (the decode workers start with the first decode). Reports what the page can
 * measure.
 */
export async function scaleInputs(): Promise<ReturnType<typeof measureMemoryAvailable> & { hardwareConcurrency: number; userAgent: string }> {
  for (const [id, folder] of [[SCALE_FOLDER_INPUT, true], [SCALE_FILES_INPUT, false]] as const) {
    if (document.getElementById(id)) continue;
    const input = document.createElement('input');
    input.type = 'file';
    input.id = id;
    input.hidden = true;
    if (folder) input.webkitdirectory = true;
    else input.multiple = true;
    document.body.append(input);
  }
  const lab = labClient();
  await Promise.all([lab.listDatasets(), lab.trainer.listRuns()]);
  return { ...measureMemoryAvailable(), hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent };
}

async function storageUsage(): Promise<number | null> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
  return estimate?.usage ?? null;
}

export interface ScaleIngestOptions {
  input: 'folder' | 'files';
  name: string;
  /** Image counts at which to sample the heap between the start and the end (e.g. [1000, 5000]). */
  marks?: number[];
  choices?: IngestChoices;
}

export interface ScaleIngestResult {
  files: number;
  images: number;
  skipped: number;
  skippedExamples: string[];
  seconds: number;
  /** Seconds until the first image was decoded (archive listing, layout, parsing, split). */
  secondsBeforeDecoding: number;
  imagesPerSecond: number;
  storageBytes: number | null;
  bytesPerImage: number | null;
  datasetId: string;
  layout: string;
  counts: Record<string, number>;
  labels: string[];
  notes: string[];
  samples: HeapSample[];
}

export async function runScaleIngest(o: ScaleIngestOptions): Promise<ScaleIngestResult> {
  const lab = labClient();
  const input = document.getElementById(o.input === 'folder' ? SCALE_FOLDER_INPUT : SCALE_FILES_INPUT) as HTMLInputElement | null;
  if (!input?.files?.length) throw new Error(`no files on the ${o.input} input: call scaleInputs() and setInputFiles first`);
  const files = await lab.filesFromInput(input.files);
  const marks = [...(o.marks ?? [])].sort((a, b) => a - b);
  const sampler = new HeapSampler();
  const usageBefore = await storageUsage();
  await sampler.sample('start', 0);
  let next = 0;
  let firstDecodeAt: number | null = null;
  const onProgress = (p: IngestProgress) => {
    if (p.phase !== 'decoding') return;
    if (firstDecodeAt === null && p.done > 0) firstDecodeAt = performance.now();
    while (next < marks.length && p.done >= marks[next]) {
      void sampler.sample(`${marks[next].toLocaleString('en-US')} images`, p.done);
      next++;
    }
  };
  const started = performance.now();
  const result = await lab.ingest(files, o.name, onProgress, new AbortController().signal, o.choices ?? {});
  const seconds = (performance.now() - started) / 1000;
  await sampler.settled();
  await sampler.sample('end', result.ingested);
  const usageAfter = await storageUsage();
  if (result.error) throw new Error(result.error);
  const storageBytes = usageBefore !== null && usageAfter !== null ? usageAfter - usageBefore : null;
  return {
    files: files.length,
    images: result.ingested,
    skipped: result.skipped.length,
    skippedExamples: result.skipped.slice(0, 5).map((p) => `${p.path}: ${p.reason}`),
    seconds,
    secondsBeforeDecoding: firstDecodeAt === null ? seconds : (firstDecodeAt - started) / 1000,
    imagesPerSecond: result.ingested / seconds,
    storageBytes,
    bytesPerImage: storageBytes !== null && result.ingested > 0 ? storageBytes / result.ingested : null,
    datasetId: result.datasetId,
    layout: result.manifest.layout,
    counts: result.manifest.counts,
    labels: result.manifest.labels,
    notes: result.manifest.notes,
    samples: sampler.samples,
  };
}

export interface ScaleStreamOptions {
  datasetId: string;
  batches: number;
  batchSize?: number;
  /** Batch counts at which to sample the heap between the start and the end. */
  marks?: number[];
}

export interface ScaleStreamResult {
  batches: number;
  batchSize: number;
  trainImages: number;
  epochs: number;
  seconds: number;
  imagesPerSecond: number;
  msWaiting: number;
  /** The consumer's checksum (mean pixel value), so the reads cannot be optimised away. */
  meanPixel: number;
  samples: HeapSample[];
}

/** The train split streamed by BatchStream on the page, each batch summed and dropped (no model). */
export async function runScaleStream(o: ScaleStreamOptions): Promise<ScaleStreamResult> {
  const lab = labClient();
  const manifest = (await lab.listDatasets()).find((d) => d.id === o.datasetId);
  if (!manifest) throw new Error(`dataset ${o.datasetId} is not stored`);
  const batchSize = o.batchSize ?? 32;
  const marks = new Set(o.marks ?? []);
  const stream = new BatchStream({ datasetId: manifest.id, split: 'train', batchSize, size: manifest.storageSize, numLabels: manifest.labels.length, seed: 0, mode: 'train' });
  const sampler = new HeapSampler();
  await sampler.sample('start', 0);
  await stream.init();
  let sum = 0;
  let pixels = 0;
  const started = performance.now();
  let sampledMs = 0;
  for (let b = 1; b <= o.batches; b++) {
    const batch = await stream.next();
    let s = 0;
    for (let i = 0; i < batch.pixels.length; i++) s += batch.pixels[i];
    sum += s;
    pixels += batch.pixels.length;
    if (marks.has(b)) {
      // The stream waits while the sample is taken; that time is not the stream's.
      const t = performance.now();
      await sampler.sample(`${b.toLocaleString('en-US')} batches`, b);
      sampledMs += performance.now() - t;
    }
  }
  const seconds = (performance.now() - started - sampledMs) / 1000;
  await sampler.sample('end', o.batches);
  return {
    batches: o.batches,
    batchSize,
    trainImages: stream.numImages,
    epochs: stream.epochsStarted,
    seconds,
    imagesPerSecond: (o.batches * batchSize) / seconds,
    msWaiting: stream.msWaiting,
    meanPixel: sum / pixels,
    samples: sampler.samples,
  };
}

export interface ScaleTrainOptions {
  datasetId: string;
  steps: number;
  preset?: VitPresetName;
  method?: Method;
  batchSize?: number;
  evalEvery?: number;
  evalMaxImages?: number;
  backend?: 'wasm' | 'webgpu' | 'webgl' | 'cpu';
}

export interface ScaleTrainResult {
  backend: string;
  preset: VitPresetName;
  method: Method;
  batchSize: number;
  steps: number;
  finalState: string;
  message?: string;
  seconds: number;
  medianStepMs: number;
  imagesPerSecond: number;
  /** The trainer's resource samples (every ~250 ms): mean data-wait share, and tfjs memory first / last. */
  dataWaitShare: number | null;
  resourceSamples: number;
  firstResources: ResourceSample | null;
  lastResources: ResourceSample | null;
  evaluations: number;
  lastLoss: number | null;
}

/** The last step the running scale training reported (0 before its first step); polled by scripts/bench_scale.mjs. */
let trainProgress = 0;
export const scaleTrainProgress = (): number => trainProgress;

/** Starts the trainer's backend (tfjs-wasm's thread workers included) before the first heap sample. */
export async function prepareScaleTrain(backend: ScaleTrainOptions['backend'] = 'wasm'): Promise<string> {
  return (await labClient().trainer.initBackend(backend)).name;
}

/** A run of the lab's trainer on a stored dataset, as the Train button starts it (recipe mrm-sgd). */
export async function runScaleTrain(o: ScaleTrainOptions): Promise<ScaleTrainResult> {
  const lab = labClient();
  const preset = o.preset ?? 'tiny';
  const method = o.method ?? 'lora';
  const batchSize = o.batchSize ?? 32;
  const report = await lab.trainer.initBackend(o.backend ?? 'wasm');
  const config: RunConfig = {
    datasetId: o.datasetId,
    method,
    preset,
    lora: { ...STUDY_LORA },
    // The tiny preset's bundled MAE backbone, the lab's default start for it.
    initialisation: preset === 'tiny' ? 'pretrained-demo' : 'random',
    ...recipeValues('mrm-sgd', method, o.steps),
    totalSteps: o.steps,
    batchSize,
    evalEvery: o.evalEvery ?? 100,
    evalMaxImages: o.evalMaxImages ?? 128,
    augment: true,
    seed: 1,
  };
  trainProgress = 0;
  const stepMs: number[] = [];
  const resources: ResourceSample[] = [];
  let evaluations = 0;
  let lastLoss: number | null = null;
  let finish: (state: { state: string; message?: string }) => void = () => undefined;
  const finished = new Promise<{ state: string; message?: string }>((resolve) => (finish = resolve));
  const onMessage = (m: TrainerMessage) => {
    if (m.type === 'steps') {
      for (const s of m.steps) {
        stepMs.push(s.ms);
        lastLoss = s.loss;
        trainProgress = s.step;
      }
    } else if (m.type === 'resources') {
      resources.push(m.resources);
    } else if (m.type === 'evaluation') {
      evaluations++;
    } else if (m.type === 'state' && (m.state === 'finished' || m.state === 'stopped' || m.state === 'error')) {
      finish({ state: m.state, message: m.message });
    }
  };
  const started = performance.now();
  await lab.trainer.start(config, onMessage);
  const end = await finished;
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...stepMs].sort((a, b) => a - b);
  const training = resources.filter((r) => r.step > 0);
  return {
    backend: report.name,
    preset,
    method,
    batchSize,
    steps: stepMs.length,
    finalState: end.state,
    message: end.message,
    seconds,
    medianStepMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    imagesPerSecond: (stepMs.length * batchSize) / seconds,
    dataWaitShare: training.length ? training.reduce((a, r) => a + r.dataWaitShare, 0) / training.length : null,
    resourceSamples: training.length,
    firstResources: training[0] ?? null,
    lastResources: training.at(-1) ?? null,
    evaluations,
    lastLoss,
  };
}
