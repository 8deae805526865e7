/**
 * Ingest: files -> layout -> splits -> decoded 8-bit images in IndexedDB, resumable and cancellable.
 * Decoding is injected (`decode`): the browser passes DecodePool's workers, Node tests a fake.
 */
import { parseDataset } from './layouts/registry';
import { datasetIdFor, splitStats } from './manifest';
import { assignSplits, type SplitFractions } from './splits';
import { getManifest, hasKeys, putImages, putManifest, sharedLabDb, type LabDb } from './store';
import type { DatasetEntry, DatasetManifest, FileEntry, IngestProgress, IngestResult, Problem, StoredImage } from './types';

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
  const { entries, notes: splitNotes } = assignSplits(parsed.entries, { seed, fractions: opts.splitFractions });
  const datasetId = datasetIdFor(parsed.layout, entries.map((e) => e.path), size, seed);

  const db = opts.db ?? (await sharedLabDb());
  const stored = await hasKeys(datasetId, entries.map((e) => e.path), db);
  const previous = await getManifest(datasetId, db);
  const makeManifest = (incomplete: boolean, extraNotes: string[]): DatasetManifest => ({
    id: datasetId,
    name: opts.name,
    layout: parsed.layout,
    labels: parsed.labels,
    storageSize: size,
    ...splitStats(entries.filter((e) => stored.has(e.path)), parsed.labels.length),
    createdAt: previous?.createdAt ?? Date.now(),
    notes: [...parsed.notes, ...splitNotes, ...extraNotes],
    incomplete,
  });
  const todo = entries.filter((e) => !stored.has(e.path));
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
