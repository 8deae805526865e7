/**
 * Ingest: files -> layout -> splits -> decoded 8-bit images in IndexedDB, resumable and cancellable.
 * Decoding is injected (`decode`): the browser passes DecodePool's workers, Node tests a fake.
 *
 * Archives among the files (.zip, .tar, .tar.gz / .tgz) are expanded by the DatasetSource (datasetSource.ts):
 * layouts see their members' paths, and images stream from the archive to the decoder in archive order. The same
 * file dropped twice under two names is stored once (content digest of the files whose sizes coincide: only those
 * are read twice, so a normal dataset pays nothing) and the copy is reported.
 */
import { contentDigest } from './contentDigest';
import { openDatasetSource, type DatasetSource, type ReadItem } from './datasetSource';
import { dicomFrameCount } from '../formats/image/dicom';
import { detectLayoutId, parseDataset } from './layouts/registry';
import { datasetIdFor, splitStats } from './manifest';
import { assignSplits, selectFraction, type SplitFractions } from './splits';
import { getManifest, hasKeys, putImages, putManifest } from '../storage/datasets';
import { sharedLabDb, type LabDb } from '../storage/schema';
import type { DatasetEntry } from './types';
import type { DatasetManifest, FileEntry, FlaggedImage, IngestProgress, IngestResult, Problem, StoredImage } from '../run/datasets';
import type { ImageStats } from '../formats/image/imageStats';
import { OOD_REASONS, scoreOod, type OodVerdict } from './ood/scoreOod';

export interface IngestOptions {
  name: string;
  /** Side of the stored square images (default 224, the study's input size). */
  storageSize?: number;
  /** Seeds the split (and NIH's val carve-out); part of the dataset id. */
  seed?: number;
  /**
   * Decodes one file to size x size gray pixels; with the statistics the out-of-distribution guard scores when the
   * decoder measures them (the lab's decode workers do; a plain pixel array skips the guard for that image).
   */
  decode: (blob: Blob, size: number) => Promise<Uint8Array | DecodedImage>;
  /** Leave out the images the out-of-distribution guard flags (default: store them, flagged in the report). */
  excludeOutOfDistribution?: boolean;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
  /** Defaults to the shared connection (sharedLabDb()). */
  db?: LabDb;
  /** Force a layout id instead of detecting it; options for the parser. */
  layout?: string;
  parserOptions?: Record<string, unknown>;
  /**
   * Parser options by layout id, for the layout detected after archives are expanded (the caller cannot detect it
   * from a list of archive files). Used when `parserOptions` is not given.
   */
  parserOptionsByLayout?: Record<string, Record<string, unknown>>;
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

/** A decoder's result: the pixels, and (from the lab's decode workers) the guard's image statistics. */
export interface DecodedImage {
  pixels: Uint8Array;
  stats?: ImageStats;
}

function toStored(datasetId: string, entry: DatasetEntry, pixels: Uint8Array, verdict: OodVerdict | null): StoredImage {
  const image: StoredImage = { datasetId, key: entry.path, split: entry.split!, labels: entry.labels, pixels };
  if (entry.patientId !== undefined) image.patientId = entry.patientId;
  if (verdict?.flagged) image.ood = { score: verdict.score, reason: verdict.reason ?? OOD_REASONS.other };
  return image;
}

const MIB = 1 << 20;

export async function ingestDataset(files: FileEntry[], opts: IngestOptions): Promise<IngestResult> {
  const size = opts.storageSize ?? 224;
  const seed = opts.seed ?? 0;
  const chunkSize = Math.max(1, opts.chunkSize ?? 32);
  const report = (p: IngestProgress) => opts.onProgress?.(p);
  report({ phase: 'scanning', done: 0, total: files.length, skipped: 0, rate: 0, eta: Number.NaN });

  const scanStarted = performance.now();
  const source = await openDatasetSource(files, {
    signal: opts.signal,
    onProgress: (p) => {
      const seconds = (performance.now() - scanStarted) / 1000;
      const rate = seconds > 0 ? p.bytesRead / seconds : 0;
      report({
        phase: 'scanning', done: Math.floor(p.bytesRead / MIB), total: Math.ceil(p.bytesTotal / MIB), skipped: 0, rate: 0,
        eta: rate > 0 ? (p.bytesTotal - p.bytesRead) / rate : Number.NaN,
        message: `Listing ${p.archive}: ${p.members.toLocaleString('en-US')} files so far (MB read / MB in all)`,
      });
    },
  });
  if (source.files.length === 0) {
    const why = source.problems.slice(0, 3).map((p) => `${p.path}: ${p.reason}`).join('; ');
    throw new Error(`Nothing to ingest in "${opts.name}"${why ? ` (${why})` : ''}.`);
  }

  report({ phase: 'parsing', done: 0, total: source.files.length, skipped: 0, rate: 0, eta: Number.NaN });
  const layoutOptions = opts.parserOptions ?? (opts.parserOptionsByLayout ? opts.parserOptionsByLayout[opts.layout ?? detectLayoutId(source.files.map((f) => f.path)) ?? ''] : undefined);
  const parsed = await parseDataset(source.files, { layout: opts.layout, parserOptions: { seed, ...layoutOptions } });
  parsed.problems.unshift(...source.problems);
  parsed.notes.unshift(...source.notes);
  if (parsed.entries.length === 0) {
    const why = parsed.problems.slice(0, 3).map((p) => `${p.path}: ${p.reason}`).join('; ');
    throw new Error(`No labelled images found in "${opts.name}"${why ? ` (${why})` : ''}.`);
  }
  const { entries: allEntries, notes: splitNotes } = assignSplits(parsed.entries, { seed, fractions: opts.splitFractions });
  // Parser options change the labels (CheXpert uncertainty policy, label set, CSV columns): part of the identity.
  const { seed: _seed, ...labelOptions } = layoutOptions ?? {};
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

  const outcome = await decodeAndStore(db, datasetId, entries, stored, size, chunkSize, opts, source);
  const extraNotes: string[] = [];
  if (stored.size > outcome.newlyStored) extraNotes.push(`${(stored.size - outcome.newlyStored).toLocaleString('en-US')} images were already stored and reused.`);
  const duplicates = outcome.skipped.filter((p) => p.reason.startsWith(DUPLICATE_REASON)).length;
  if (duplicates > 0) extraNotes.push(`${duplicates} files have the same content as another file and were stored once.`);
  if (outcome.skipped.length > duplicates) extraNotes.push(`${outcome.skipped.length - duplicates} images could not be decoded and were skipped.`);
  if (outcome.flagged.length > 0) {
    const excluded = outcome.flagged.filter((f) => f.excluded).length;
    extraNotes.push(
      `${outcome.flagged.length} images do not look like chest radiographs (see the ingest report)${excluded > 0 ? `; ${excluded} of them were left out by choice` : '; they were stored'}.`,
    );
  }
  if (outcome.multiFrame.length > 0) {
    const examples = [...outcome.multiFrame].sort((a, b) => (a.path < b.path ? -1 : 1)).slice(0, 3).map((m) => `${m.path}: ${m.frames} frames`).join(', ');
    extraNotes.push(`${outcome.multiFrame.length} multi-frame DICOMs: only the first frame of each was stored (${examples}).`);
  }
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
  report({ phase, done: outcome.done, total: entries.length, skipped: outcome.skipped.length, rate: outcome.rate, eta: 0, message: outcome.error });
  const result: IngestResult = { datasetId, manifest, ingested: outcome.newlyStored, skipped: [...parsed.problems, ...outcome.skipped], cancelled };
  if (outcome.flagged.length > 0) result.flagged = outcome.flagged;
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
  /** Images stored before plus images handled now (stored, skipped or found to be copies). */
  done: number;
  skipped: Problem[];
  flagged: FlaggedImage[];
  multiFrame: { path: string; frames: number }[];
  rate: number;
}

const DUPLICATE_REASON = 'same content as';

/** Paths of entries whose file size another entry shares: only these can be byte-identical copies. */
function sameSizePaths(entries: readonly DatasetEntry[]): Set<string> {
  const bySize = new Map<number, number>();
  for (const e of entries) bySize.set(e.file.size, (bySize.get(e.file.size) ?? 0) + 1);
  return new Set(entries.filter((e) => (bySize.get(e.file.size) ?? 0) > 1).map((e) => e.path));
}

const isDicomPath = (path: string) => /\.(dcm|dicom)$/i.test(path);

/**
 * `concurrency` decode loops pull the entries' bytes from one DatasetSource iterator (archive order for tar) and
 * decode them. Each loop writes a full chunk itself and waits for the write, which bounds memory (at most
 * ~concurrency + chunkSize decoded images, and one undecoded file per loop, are held). Writes are chained so
 * transactions never interleave. Copies are found in the iterator's order, which is the same on every run, so a
 * resumed ingest keeps the same first copy. On abort, decodes already running finish and are stored; after a
 * failed write nothing more is written.
 */
async function decodeAndStore(
  db: LabDb, datasetId: string, entries: DatasetEntry[], stored: Set<string>, size: number, chunkSize: number, opts: IngestOptions, source: DatasetSource,
): Promise<DecodeOutcome> {
  const alreadyStored = entries.filter((e) => stored.has(e.path)).length;
  const total = entries.length;
  const todoCount = total - alreadyStored;
  const outcome: DecodeOutcome = { stop: null, newlyStored: 0, done: alreadyStored, skipped: [], flagged: [], multiFrame: [], rate: 0 };
  const suspects = sameSizePaths(entries);
  const wanted = entries.filter((e) => !stored.has(e.path) || suspects.has(e.path));
  const firstOfDigest = new Map<string, string>();
  const buffer: StoredImage[] = [];
  let writes = Promise.resolve();
  let handled = 0;
  const started = performance.now();
  let lastReport = -Infinity;

  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    const seconds = (now - started) / 1000;
    outcome.rate = seconds > 0 ? handled / seconds : 0;
    const remaining = todoCount - handled;
    const eta = outcome.rate > 0 ? remaining / outcome.rate : Number.NaN;
    opts.onProgress?.({ phase: 'decoding', done: alreadyStored + handled, total, skipped: outcome.skipped.length, rate: outcome.rate, eta });
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

  const items = source.read(wanted, opts.signal);
  /**
   * The next entry to decode; copies, and stored files read only for their digest, are settled here. Calls run one
   * after another (`pending`), so which copy comes first depends on the source's order only.
   */
  let pending: Promise<unknown> = Promise.resolve();
  const nextToDecode = (): Promise<{ entry: DatasetEntry; item: ReadItem } | null> => {
    const result = pending.then(settleCopies);
    pending = result.catch(() => undefined);
    return result;
  };
  const settleCopies = async (): Promise<{ entry: DatasetEntry; item: ReadItem } | null> => {
    for (;;) {
      const next = await items.next();
      if (next.done) return null;
      const item = next.value;
      const entry = item.entry as DatasetEntry;
      if ('blob' in item && suspects.has(entry.path)) {
        // An unreadable file has no digest: the decoder will say why it cannot be read.
        const digest = await contentDigest(item.blob).catch(() => null);
        if (digest !== null) {
          const first = firstOfDigest.get(digest);
          if (first === undefined) firstOfDigest.set(digest, entry.path);
          else if (!stored.has(entry.path)) {
            outcome.skipped.push({ path: entry.path, reason: `${DUPLICATE_REASON} ${first}: stored once` });
            handled++;
            continue;
          }
        }
      }
      if (stored.has(entry.path)) continue;
      return { entry, item };
    }
  };

  const loop = async () => {
    while (outcome.stop === null) {
      if (opts.signal?.aborted) {
        outcome.stop = 'abort';
        break;
      }
      const next = await nextToDecode();
      if (next === null) break;
      const { entry, item } = next;
      try {
        if ('error' in item) throw new Error(item.error);
        const decoded = await opts.decode(item.blob, size);
        const { pixels, stats } = decoded instanceof Uint8Array ? { pixels: decoded, stats: undefined } : decoded;
        if (pixels.length !== size * size) throw new Error(`decoder returned ${pixels.length} bytes, expected ${size * size}`);
        // The out-of-distribution guard: flagged images are reported, and stored unless the user chose to leave them out.
        const verdict = stats ? scoreOod(stats) : null;
        if (verdict?.flagged) {
          const excluded = opts.excludeOutOfDistribution === true;
          outcome.flagged.push({ path: entry.path, score: verdict.score, reason: verdict.reason ?? OOD_REASONS.other, excluded });
          if (excluded) {
            handled++;
            progress(false);
            continue;
          }
        }
        buffer.push(toStored(datasetId, entry, pixels, verdict));
        if (isDicomPath(entry.path)) {
          const frames = dicomFrameCount(new Uint8Array(await item.blob.slice(0, 1 << 16).arrayBuffer()));
          if (frames > 1) outcome.multiFrame.push({ path: entry.path, frames });
        }
      } catch (error) {
        outcome.skipped.push({ path: entry.path, reason: messageOf(error) });
      }
      handled++;
      progress(false);
      if (buffer.length >= chunkSize) await flush();
    }
  };

  progress(true);
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, loop));
  } finally {
    await items.return?.();
  }
  await flush();
  outcome.done = alreadyStored + handled;
  progress(true);
  return outcome;
}
