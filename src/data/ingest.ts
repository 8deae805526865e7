/**
 * Ingest: files -> layout -> splits -> decoded 8-bit images in IndexedDB, resumable and cancellable.
 * Decoding is injected (`decode`): the browser passes DecodePool's workers, Node tests a fake.
 */
import { parseDataset } from './layouts/registry';
import { datasetIdFor, splitStats } from './manifest';
import { assignSplits, selectFraction, type SplitFractions } from './splits';
import { getManifest, hasKeys, putImages, putManifest } from '../storage/datasets';
import { sharedLabDb, type LabDb } from '../storage/schema';
import type { DatasetEntry } from './types';
import type { DatasetManifest, FileEntry, IngestProgress, IngestResult, Problem, StoredImage } from '../run/datasets';

export interface IngestOptions {
  name: string;
  /** Side of the stored square images (default 224, the study's input size). */
  storageSize?: number;
  /** Seeds the split (and NIH's val carve-out); part of the dataset id. */
  seed?: number;
  decode: (blob: Blob, size: number) => Promise<Uint8Array>;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
  /** Defaults to the shared connection (sharedLabDb()). */
  db?: LabDb;
  /** Force a layout id instead of detecting it; options for the parser. */
  layout?: string;
  parserOptions?: Record<string, unknown>;
  splitFractions?: SplitFractions;
  /**
   * Share of the training split to ingest — the study's label fractions (0.01, 0.1, 1). Validation and test are
   * always complete. Nested for a seed (the 1 % set lies inside the 10 % set), and the dataset id does not depend
   * on it, so ingesting again with a larger fraction adds only the missing images.
   */
  trainFraction?: number;
  /** Decodes in flight at once (the pool bounds its workers itself). */
  concurrency?: number;
  /** Images per IndexedDB transaction. */
  chunkSize?: number;
}

const PROGRESS_INTERVAL_MS = 200;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeWriteError(error: unknown, stored: number, total: number): string {
  const name = (error as { name?: string } | null)?.name;
  const where = `${stored.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} images are stored and kept`;
  if (name === 'QuotaExceededError') {
    return `Browser storage is full (QuotaExceededError): ${where}. Free disk space or delete a dataset, then add the same folder again to resume.`;
  }
  return `Writing to IndexedDB failed (${name ?? 'Error'}: ${messageOf(error)}): ${where}. Add the same folder again to resume.`;
}

function toStored(datasetId: string, entry: DatasetEntry, pixels: Uint8Array): StoredImage {
  const image: StoredImage = { datasetId, key: entry.path, split: entry.split!, labels: entry.labels, pixels };
  if (entry.patientId !== undefined) image.patientId = entry.patientId;
  return image;
}

export async function ingestDataset(files: FileEntry[], opts: IngestOptions): Promise<IngestResult> {
  const size = opts.storageSize ?? 224;
  const seed = opts.seed ?? 0;
  const chunkSize = Math.max(1, opts.chunkSize ?? 32);
  const report = (p: IngestProgress) => opts.onProgress?.(p);
  report({ phase: 'scanning', done: 0, total: files.length, skipped: 0, rate: 0, eta: Number.NaN });

  report({ phase: 'parsing', done: 0, total: files.length, skipped: 0, rate: 0, eta: Number.NaN });
  const parsed = await parseDataset(files, { layout: opts.layout, parserOptions: { seed, ...opts.parserOptions } });
  if (parsed.entries.length === 0) {
    const why = parsed.problems.slice(0, 3).map((p) => `${p.path}: ${p.reason}`).join('; ');
    throw new Error(`No labelled images found in "${opts.name}"${why ? ` (${why})` : ''}.`);
  }
  const { entries: allEntries, notes: splitNotes } = assignSplits(parsed.entries, { seed, fractions: opts.splitFractions });
  // Parser options change the labels (CheXpert uncertainty policy, label set, CSV columns): part of the identity.
  const { seed: _seed, ...labelOptions } = opts.parserOptions ?? {};
  const optionsKey = Object.keys(labelOptions).length ? `${parsed.layout}?${stableJson(labelOptions)}` : parsed.layout;
  const datasetId = datasetIdFor(optionsKey, allEntries.map((e) => e.path), size, seed);
  const fraction = opts.trainFraction ?? 1;
  const entries = fraction < 1 ? withTrainFraction(allEntries, fraction, seed) : allEntries;
  if (fraction < 1) {
    const trainAll = allEntries.filter((e) => e.split === 'train').length;
    const trainKept = entries.filter((e) => e.split === 'train').length;
    splitNotes.push(
      `Label fraction ${+(fraction * 100).toFixed(2)} % of the training split: ${trainKept.toLocaleString('en-US')} of ` +
        `${trainAll.toLocaleString('en-US')} images (seed ${seed}); add the same folder with a larger fraction to add more.`,
    );
  }

  const db = opts.db ?? (await sharedLabDb());
  const stored = await hasKeys(datasetId, allEntries.map((e) => e.path), db);
  const previous = await getManifest(datasetId, db);
  const makeManifest = (incomplete: boolean, extraNotes: string[]): DatasetManifest => ({
    id: datasetId,
    name: opts.name,
    layout: parsed.layout,
    labels: parsed.labels,
    storageSize: size,
    ...splitStats(allEntries.filter((e) => stored.has(e.path)), parsed.labels.length),
    createdAt: previous?.createdAt ?? Date.now(),
    notes: [...parsed.notes, ...splitNotes, ...extraNotes],
    incomplete,
  });
  const todo = entries.filter((e) => !stored.has(e.path));
  const quotaProblem = await checkStorageRoom(todo.length, size);
  if (quotaProblem) {
    report({ phase: 'error', done: 0, total: entries.length, skipped: 0, rate: 0, eta: 0, message: quotaProblem });
    return {
      datasetId,
      manifest: previous ?? makeManifest(true, []),
      ingested: 0,
      skipped: parsed.problems,
      cancelled: true,
      error: quotaProblem,
    };
  }
  if (todo.length > 0 || previous?.incomplete !== false) {
    try {
      await putManifest(makeManifest(true, []), db);
    } catch (error) {
      throw new Error(describeWriteError(error, stored.size, entries.length));
    }
  }

  const outcome = await decodeAndStore(db, datasetId, todo, entries.length, stored, size, chunkSize, opts);
  const extraNotes: string[] = [];
  if (stored.size > outcome.newlyStored) extraNotes.push(`${(stored.size - outcome.newlyStored).toLocaleString('en-US')} images were already stored and reused.`);
  if (outcome.skipped.length > 0) extraNotes.push(`${outcome.skipped.length} images could not be decoded and were skipped.`);
  const manifest = makeManifest(outcome.stop !== null, extraNotes);
  try {
    await putManifest(manifest, db);
  } catch (error) {
    // The stored images stay; the manifest written before decoding still marks the dataset incomplete.
    outcome.stop = 'error';
    manifest.incomplete = true;
    outcome.error ??= describeWriteError(error, stored.size, entries.length);
  }

  const cancelled = outcome.stop !== null;
  const phase = outcome.stop === 'error' ? 'error' : outcome.stop === 'abort' ? 'cancelled' : 'done';
  report({ phase, done: outcome.handled + entries.length - todo.length, total: entries.length, skipped: outcome.skipped.length, rate: outcome.rate, eta: 0, message: outcome.error });
  const result: IngestResult = { datasetId, manifest, ingested: outcome.newlyStored, skipped: [...parsed.problems, ...outcome.skipped], cancelled };
  if (outcome.error !== undefined) result.error = outcome.error;
  return result;
}

/** JSON with sorted keys, so equal options give equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The training split cut to a label fraction (nested per seed); val and test stay whole. */
function withTrainFraction(entries: DatasetEntry[], fraction: number, seed: number): DatasetEntry[] {
  const train = entries.filter((e) => e.split === 'train');
  const kept = new Set(selectFraction(train, fraction, seed).map((e) => e.path));
  return entries.filter((e) => e.split !== 'train' || kept.has(e.path));
}

/** Bytes one stored image takes in IndexedDB, pixels plus the record around them (labels, key, split). */
const recordOverhead = 512;

/**
 * Checks the browser's storage estimate before decoding anything (and asks for persistent storage, so the
 * browser does not evict a dataset under pressure). Returns a message when the images cannot fit.
 */
async function checkStorageRoom(images: number, size: number): Promise<string | null> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate || images === 0) return null;
  try {
    await storage.persist?.();
  } catch {
    // persist() is a request; refusing it is the browser's call and not an error.
  }
  const { usage = 0, quota } = await storage.estimate();
  if (!quota) return null;
  const need = images * (size * size + recordOverhead);
  const free = quota - usage;
  if (need <= free) return null;
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  return `Not enough browser storage for ${images.toLocaleString('en-US')} images: about ${mb(need)} needed, ${mb(free)} free. Nothing was decoded; free space, delete a dataset or choose a smaller label fraction.`;
}

interface DecodeOutcome {
  stop: 'abort' | 'error' | null;
  error?: string;
  newlyStored: number;
  handled: number;
  skipped: Problem[];
  rate: number;
}

/**
 * `concurrency` decode loops share one cursor over `todo`. Each loop writes a full chunk itself and waits for the
 * write, which bounds memory (at most ~concurrency + chunkSize decoded images are held). Writes are chained so
 * transactions never interleave. On abort, decodes already running finish and are stored; after a failed write
 * nothing more is written.
 */
async function decodeAndStore(
  db: LabDb, datasetId: string, todo: DatasetEntry[], total: number, stored: Set<string>, size: number, chunkSize: number, opts: IngestOptions,
): Promise<DecodeOutcome> {
  const outcome: DecodeOutcome = { stop: null, newlyStored: 0, handled: 0, skipped: [], rate: 0 };
  const alreadyStored = total - todo.length;
  const buffer: StoredImage[] = [];
  let writes = Promise.resolve();
  let cursor = 0;
  const started = performance.now();
  let lastReport = -Infinity;

  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    outcome.rate = seconds > 0 ? outcome.handled / seconds : 0;
    const remaining = todo.length - outcome.handled;
    const eta = outcome.rate > 0 ? remaining / outcome.rate : Number.NaN;
    opts.onProgress?.({ phase: 'decoding', done: alreadyStored + outcome.handled, total, skipped: outcome.skipped.length, rate: outcome.rate, eta });
  };

  const flush = (): Promise<void> => {
    const chunk = buffer.splice(0);
    if (chunk.length === 0) return writes;
    writes = writes.then(async () => {
      if (outcome.stop === 'error') return;
      try {
        await putImages(chunk, db);
        for (const image of chunk) stored.add(image.key);
        outcome.newlyStored += chunk.length;
      } catch (error) {
        outcome.stop = 'error';
        outcome.error = describeWriteError(error, stored.size, total);
      }
    });
    return writes;
  };

  const loop = async () => {
    while (outcome.stop === null) {
      if (opts.signal?.aborted) {
        outcome.stop = 'abort';
        break;
      }
      const index = cursor++;
      if (index >= todo.length) break;
      const entry = todo[index];
      try {
        const pixels = await opts.decode(entry.file, size);
        if (pixels.length !== size * size) throw new Error(`decoder returned ${pixels.length} bytes, expected ${size * size}`);
        buffer.push(toStored(datasetId, entry, pixels));
      } catch (error) {
        outcome.skipped.push({ path: entry.path, reason: messageOf(error) });
      }
      outcome.handled++;
      progress(false);
      if (buffer.length >= chunkSize) await flush();
    }
  };

  progress(true);
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, loop));
  await flush();
  progress(true);
  return outcome;
}
