/**
 * Fixed-shape batches streamed from IndexedDB.
 * - train: an endless stream, reshuffled every epoch, ragged tail dropped so every batch has exactly batchSize
 *   rows; the next batches are read while the caller works on the current one. Batch b is a pure function of
 *   (seed, b): epoch e's order is a shuffle seeded by (seed, e), so a resumed run restarts the stream at the
 *   batch it had reached (`startBatch`) and sees exactly the batches the uninterrupted run would have seen.
 * - eval: one pass over at most maxImages images in a fixed (seeded) order; the last batch is padded by repeating
 *   its rows and says how many are real in `valid`; each row carries its image key (predictions by image).
 */
import { getImages, getKeys } from '../storage/datasets';
import { sharedLabDb, type LabDb } from '../storage/schema';
import type { Batch, Split, StoredImage } from '../run/datasets';
import { hashString, mulberry32, shuffleInPlace } from '../run/random';
import { selectFraction } from './splits';

export interface BatchStreamOptions {
  datasetId: string;
  split: Split;
  batchSize: number;
  /** Storage size of the dataset (images are size x size). */
  size: number;
  numLabels: number;
  seed: number;
  mode: 'train' | 'eval';
  /** eval only: evaluate at most this many images (a fixed seeded subset, the same at every evaluation). */
  maxImages?: number;
  /** train only: the first batch served is batch `startBatch` of the sequence (a resumed run); default 0. */
  startBatch?: number;
  /**
   * train only: train on this share of the stored training images, in (0, 1]. The subset is nested and fixed per
   * dataset (selectFraction with seed 0, as the study's fixed train_1 / train_10 lists), whatever the run's seed.
   */
  trainFraction?: number;
  /** Defaults to the shared connection (sharedLabDb()). */
  db?: LabDb;
}

export interface BatchStreamStats {
  imagesRead: number;
  /** Time next()/epoch() callers spent waiting for data; divide by step time for the data-wait fraction. */
  msWaiting: number;
  batchesServed: number;
  epochsStarted: number;
}

/** Train batches read ahead of the one being consumed (see BatchStream.pending). */
const TRAIN_PREFETCH = 3;

export class BatchStream {
  imagesRead = 0;
  msWaiting = 0;
  batchesServed = 0;
  /** train: epochs started so far (1 after the first batch). */
  epochsStarted = 0;

  private readonly opts: BatchStreamOptions;
  private db: LabDb | null = null;
  private keys: string[] = [];
  /** Index of the next train batch to request. */
  private nextBatch: number;
  /** The epoch whose shuffled order is cached (orders are recomputed only when the epoch changes). */
  private cachedEpoch = -1;
  private cachedOrder: string[] = [];
  /**
   * Train batches already requested, oldest first. Several in flight, not one: a WASM step blocks the worker's
   * event loop, so a read's IndexedDB callbacks only run between steps. With one batch ahead they ran inside
   * next()'s wait (7.7 % of a 103 ms tiny-preset step in the bench), with two ~5 %, with three 1.6-2.4 %.
   */
  private readonly pending: Promise<Batch>[] = [];

  constructor(opts: BatchStreamOptions) {
    for (const k of ['batchSize', 'size', 'numLabels'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] <= 0) throw new Error(`BatchStream: ${k} must be a positive integer, got ${opts[k]}`);
    }
    this.opts = opts;
    this.nextBatch = opts.startBatch ?? 0;
  }

  /** Loads the split's keys once (keys only, no pixels). */
  async init(): Promise<void> {
    this.db = this.opts.db ?? (await sharedLabDb());
    const keys = await getKeys(this.opts.datasetId, this.opts.split, this.db);
    if (keys.length === 0) throw new Error(`Split '${this.opts.split}' of dataset ${this.opts.datasetId} has no stored images`);
    if (this.opts.mode === 'eval') {
      // Seeded shuffle before truncation: sorted keys group by class folder, a prefix would hold one class only.
      const order = shuffleInPlace([...keys], mulberry32(this.opts.seed));
      this.keys = this.opts.maxImages !== undefined ? order.slice(0, Math.max(1, this.opts.maxImages)) : order;
    } else {
      const fraction = this.opts.trainFraction ?? 1;
      this.keys = fraction < 1 ? selectFraction(keys.map((key) => ({ key })), fraction, 0).map((k) => k.key) : keys;
      // The first batches are on their way before the first step.
      while (this.pending.length < TRAIN_PREFETCH) this.pending.push(this.prefetch(this.nextTrainKeys()));
    }
  }

  /** Images this stream covers: the split (train) or the evaluated subset (eval). */
  get numImages(): number {
    return this.keys.length;
  }

  stats(): BatchStreamStats {
    return { imagesRead: this.imagesRead, msWaiting: this.msWaiting, batchesServed: this.batchesServed, epochsStarted: this.epochsStarted };
  }

  /** train mode: the next batch; never ends. */
  async next(): Promise<Batch> {
    this.assertReady('train');
    const started = performance.now();
    const current = this.pending.shift() ?? this.load(this.nextTrainKeys());
    while (this.pending.length < TRAIN_PREFETCH - 1) this.pending.push(this.prefetch(this.nextTrainKeys()));
    const batch = await current;
    this.msWaiting += performance.now() - started;
    this.pending.push(this.prefetch(this.nextTrainKeys()));
    this.batchesServed++;
    return batch;
  }

  /** eval mode: one pass in a fixed order; the next batch is read while the caller uses the current one. */
  async *epoch(): AsyncGenerator<Batch> {
    this.assertReady('eval');
    const { batchSize } = this.opts;
    const chunks: string[][] = [];
    for (let i = 0; i < this.keys.length; i += batchSize) chunks.push(this.keys.slice(i, i + batchSize));
    let pending: Promise<Batch> | null = this.prefetch(chunks[0]);
    for (let i = 0; i < chunks.length; i++) {
      const started = performance.now();
      const batch: Batch = await pending!;
      this.msWaiting += performance.now() - started;
      pending = i + 1 < chunks.length ? this.prefetch(chunks[i + 1]) : null;
      this.batchesServed++;
      yield batch;
    }
  }

  private assertReady(mode: 'train' | 'eval'): void {
    if (this.opts.mode !== mode) throw new Error(`BatchStream is in '${this.opts.mode}' mode; ${mode === 'train' ? 'next()' : 'epoch()'} needs '${mode}'`);
    if (!this.db) throw new Error('BatchStream: call init() first');
  }

  /** Starts a read now; a failure surfaces when the batch is awaited, not as an unhandled rejection. */
  private prefetch(keys: string[]): Promise<Batch> {
    const promise = this.load(keys);
    promise.catch(() => undefined);
    return promise;
  }

  /** Epoch e's order: the keys shuffled by a PRNG seeded from (seed, e) alone. */
  private epochOrder(epoch: number): string[] {
    if (epoch !== this.cachedEpoch) {
      this.cachedOrder = shuffleInPlace([...this.keys], mulberry32(hashString(`train-epoch:${epoch}`, this.opts.seed)));
      this.cachedEpoch = epoch;
      this.epochsStarted = Math.max(this.epochsStarted, epoch + 1);
    }
    return this.cachedOrder;
  }

  /** The keys of train batch `this.nextBatch`, then advances. */
  private nextTrainKeys(): string[] {
    const { batchSize } = this.opts;
    const b = this.nextBatch++;
    const n = this.keys.length;
    if (n >= batchSize) {
      // Whole batches per epoch; the ragged tail of each epoch is dropped.
      const perEpoch = Math.floor(n / batchSize);
      const start = (b % perEpoch) * batchSize;
      return this.epochOrder(Math.floor(b / perEpoch)).slice(start, start + batchSize);
    }
    // Fewer images than one batch (tiny demo splits): fill the batch from consecutive shuffled epochs.
    const keys: string[] = [];
    for (let q = b * batchSize; keys.length < batchSize; q++) keys.push(this.epochOrder(Math.floor(q / n))[q % n]);
    return keys;
  }

  private async load(keys: string[]): Promise<Batch> {
    const images = await getImages(this.opts.datasetId, keys, this.db!);
    this.imagesRead += images.length;
    return this.assemble(images);
  }

  /** Rows beyond images.length repeat the images from the start (eval padding); `valid` = images.length. */
  private assemble(images: StoredImage[]): Batch {
    const { batchSize, size, numLabels } = this.opts;
    const area = size * size;
    const pixels = new Uint8Array(batchSize * area);
    const labels = new Float32Array(batchSize * numLabels);
    const mask = new Float32Array(batchSize * numLabels);
    for (let row = 0; row < batchSize; row++) {
      const image = images[row % images.length];
      if (image.pixels.length !== area) throw new Error(`Image '${image.key}' has ${image.pixels.length} pixels, expected ${size}x${size}`);
      if (image.labels.length !== numLabels) throw new Error(`Image '${image.key}' has ${image.labels.length} labels, expected ${numLabels}`);
      pixels.set(image.pixels, row * area);
      for (let j = 0; j < numLabels; j++) {
        const value = image.labels[j];
        // -1 = "ignore" (e.g. CheXpert U-Ignore): label 0, masked out of loss and AUROC.
        labels[row * numLabels + j] = value === 1 ? 1 : 0;
        mask[row * numLabels + j] = value === -1 ? 0 : 1;
      }
    }
    const batch: Batch = { pixels, labels, mask, valid: Math.min(images.length, batchSize), batchSize, size };
    if (this.opts.mode === 'eval') batch.keys = Array.from({ length: batchSize }, (_, row) => images[row % images.length].key);
    return batch;
  }
}
