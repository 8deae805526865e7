/**
 * Data-path benchmarks for `npm run bench` (issue 4, "Scale and speed"), driven by scripts/bench.mjs through
 * window.cxrHarness. Files come from the hidden <input type=file multiple> of harness.html (Playwright's
 * setInputFiles), i.e. real File objects as a user's drop gives them.
 * - runDecodeBench: decode + resize to size x size 8-bit gray with the lab's DecodePool, the work
 *   scripts/bench_ingest_pillow.py times with Pillow (same untimed warm-up, same timed pass over files x repeat).
 * - runStreamBench: ingestDataset into IndexedDB, then the lab's TrainingSession reading train batches from a
 *   BatchStream while it trains the tiny preset; reports the share of wall time spent waiting for data.
 */
import * as tf from '@tensorflow/tfjs';
import { BatchStream } from '../data/batches';
import { ingestDataset } from '../data/ingest';
import { makeVitConfig, type VitPresetName } from '../run/vitConfig';
import { initVitParams } from '../model/init';
import { LoraAdapter } from '../model/lora';
import { VitModel } from '../model/vit';
import { TrainingSession } from '../train/session';
import { makeOptimizer } from '../train/makeOptimizer';
import { DecodePool, defaultPoolSize } from '../workers/decodePool';
import { prepareBackend } from './bench';
import type { RunConfig, StepRecord } from '../run/records';
import { STUDY_LORA, type Method } from '../run/loraConfig';
import type { FileEntry, IngestResult } from '../run/datasets';
const INPUT_ID = 'bench-files';

function chosenFiles(): File[] {
  const input = document.getElementById(INPUT_ID) as HTMLInputElement | null;
  if (!input?.files?.length) throw new Error(`no files chosen: set them on <input id="${INPUT_ID}"> first`);
  return Array.from(input.files);
}

const isPng = (f: File) => f.name.toLowerCase().endsWith('.png');

export interface DecodeBenchResult {
  loader: 'decodePool';
  processes: number;
  hardwareConcurrency: number;
  images: number;
  size: number;
  seconds: number;
  imagesPerSecond: number;
  failed: { path: string; reason: string }[];
}

export async function runDecodeBench(raw: Record<string, unknown>): Promise<DecodeBenchResult> {
  const size = (raw.size as number | undefined) ?? 224;
  const repeat = (raw.repeat as number | undefined) ?? 2;
  const files = chosenFiles().filter(isPng);
  const pool = new DecodePool({ size: (raw.poolSize as number | undefined) ?? defaultPoolSize() });
  const failed: DecodeBenchResult['failed'] = [];
  const decodeAll = (list: File[]) =>
    Promise.all(
      list.map((file) =>
        pool.decode(file, size).then(
          ({ pixels }) => {
            if (pixels.length !== size * size) failed.push({ path: file.name, reason: `got ${pixels.length} bytes` });
          },
          (error: unknown) => failed.push({ path: file.name, reason: error instanceof Error ? error.message : String(error) }),
        ),
      ),
    );
  try {
    await decodeAll(files.slice(0, pool.size * 2)); // warm-up (workers start, modules load), untimed as in Pillow's
    failed.length = 0;
    const work = Array.from({ length: repeat }, () => files).flat();
    const started = performance.now();
    await decodeAll(work);
    const seconds = (performance.now() - started) / 1000;
    return {
      loader: 'decodePool',
      processes: pool.size,
      hardwareConcurrency: navigator.hardwareConcurrency,
      images: work.length,
      size,
      seconds,
      imagesPerSecond: work.length / seconds,
      failed,
    };
  } finally {
    pool.terminate();
  }
}

export interface StreamBenchResult {
  ingest: { images: number; skipped: number; seconds: number; imagesPerSecond: number; poolSize: number; trainImages: number };
  training: {
    backend: string;
    preset: VitPresetName;
    method: Method;
    batchSize: number;
    steps: number;
    seconds: number;
    medianStepMs: number;
    imagesRead: number;
    imagesReadPerSecond: number;
    msWaiting: number;
    waitFraction: number;
  };
  /** The stream alone, read as fast as it goes (no training): its capacity. */
  readOnly: { batches: number; imagesPerSecond: number };
}

/** The NIH sample as its publisher ships it: the CSV at the root, PNGs under images/. */
function nihEntries(files: File[]): FileEntry[] {
  return files.map((file) => ({ path: isPng(file) ? `images/${file.name}` : file.name, file }));
}

function benchRunConfig(datasetId: string, method: Method, preset: VitPresetName, batchSize: number, steps: number): RunConfig {
  return {
    datasetId,
    method,
    preset,
    lora: STUDY_LORA,
    initialisation: 'random',
    optimizer: 'sgd',
    baseLr: 0.05,
    scaleLrByBatch: true,
    minLr: 1e-6,
    momentum: 0.9,
    weightDecay: 0.05,
    layerDecay: 1,
    warmupSteps: 2,
    totalSteps: steps,
    batchSize,
    evalEvery: 0,
    evalMaxImages: 0,
    dropPath: 0.1,
    augment: true,
    seed: 0,
  };
}

export async function runStreamBench(raw: Record<string, unknown>): Promise<StreamBenchResult> {
  const backend = (raw.backend as 'wasm' | undefined) ?? 'wasm';
  const preset = (raw.preset as VitPresetName | undefined) ?? 'tiny';
  const method = (raw.method as Method | undefined) ?? 'lora';
  const batchSize = (raw.batchSize as number | undefined) ?? 32;
  const steps = (raw.steps as number | undefined) ?? 40;

  const pool = new DecodePool();
  const ingestStarted = performance.now();
  let ingested: IngestResult;
  try {
    ingested = await ingestDataset(nihEntries(chosenFiles()), { name: 'nih-sample (bench)', decode: pool.decode, storageSize: 224 });
  } finally {
    pool.terminate();
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  if (ingested.error) throw new Error(ingested.error);
  const manifest = ingested.manifest;

  await prepareBackend(backend);
  const cfg = makeVitConfig(preset, manifest.labels.length);
  const model = new VitModel(cfg, initVitParams(cfg, 1));
  if (method === 'lora') model.lora = LoraAdapter.create(cfg, STUDY_LORA, 2);
  const config = benchRunConfig(manifest.id, method, preset, batchSize, steps);
  const optimizer = makeOptimizer(config, cfg.depth);
  const streamOptions = { datasetId: manifest.id, split: 'train' as const, batchSize, size: manifest.storageSize, numLabels: manifest.labels.length, seed: 0, mode: 'train' as const };
  const train = new BatchStream(streamOptions);
  const stepRecords: StepRecord[] = [];
  let sessionError: string | undefined;
  try {
    await train.init();
    const session = new TrainingSession({
      config,
      labels: manifest.labels,
      model,
      optimizer,
      train,
      val: null,
      emit: (m) => {
        if (m.type === 'steps') stepRecords.push(...m.steps);
        if (m.type === 'state' && m.state === 'error') sessionError = m.message;
      },
      metricsHeader: { ...config, backend, initialisationNote: 'random weights (benchmark)', microBatch: config.batchSize },
    });
    const started = performance.now();
    await session.run();
    const seconds = (performance.now() - started) / 1000;
    if (sessionError) throw new Error(sessionError);

    const reader = new BatchStream({ ...streamOptions, seed: 1 });
    await reader.init();
    const readBatches = 20;
    const readStarted = performance.now();
    for (let i = 0; i < readBatches; i++) await reader.next();
    const readSeconds = (performance.now() - readStarted) / 1000;

    const stepMs = stepRecords.map((s) => s.ms).sort((a, b) => a - b);
    return {
      ingest: {
        images: ingested.ingested,
        skipped: ingested.skipped.length,
        seconds: ingestSeconds,
        imagesPerSecond: ingested.ingested / ingestSeconds,
        poolSize: defaultPoolSize(),
        trainImages: manifest.counts.train,
      },
      training: {
        backend: tf.getBackend(),
        preset,
        method,
        batchSize,
        steps: stepRecords.length,
        seconds,
        medianStepMs: stepMs[Math.floor(stepMs.length / 2)] ?? Number.NaN,
        imagesRead: train.imagesRead,
        imagesReadPerSecond: train.imagesRead / seconds,
        msWaiting: train.msWaiting,
        waitFraction: train.msWaiting / (seconds * 1000),
      },
      readOnly: { batches: readBatches, imagesPerSecond: (readBatches * batchSize) / readSeconds },
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
