import { beforeAll, describe, expect, test } from 'vitest';
import { BatchStream } from '../../src/data/batches';
import { putImages } from '../../src/storage/datasets';
import { type LabDb } from '../../src/storage/schema';
import { freshDb, sleep, storedImage } from './helpers';
import type { Batch, LabelValue, Split } from '../../src/run/datasets';
const SIZE = 4;
const AREA = SIZE * SIZE;
let db: LabDb;

/** Row r's image index (every pixel of image i is i). */
function rowsOf(batch: Batch): number[] {
  return Array.from({ length: batch.batchSize }, (_, r) => batch.pixels[r * AREA]);
}

function labelsFor(i: number): LabelValue[] {
  return [i % 2 === 0 ? 1 : 0, i % 3 === 0 ? -1 : 0];
}

beforeAll(async () => {
  db = await freshDb();
  const images = [];
  for (let i = 0; i < 50; i++) images.push(storedImage('ds', i, 'train', SIZE, labelsFor(i)));
  for (let i = 50; i < 73; i++) images.push(storedImage('ds', i, 'val', SIZE, labelsFor(i)));
  for (let i = 100; i < 103; i++) images.push(storedImage('tiny', i, 'train', SIZE, labelsFor(i)));
  await putImages(images, db);
});

interface StreamExtra {
  seed?: number;
  maxImages?: number;
  datasetId?: string;
  startBatch?: number;
  trainFraction?: number;
}

function stream(mode: 'train' | 'eval', split: Split, batchSize: number, extra: StreamExtra = {}) {
  const { seed = 0, datasetId = 'ds', ...rest } = extra;
  return new BatchStream({ datasetId, split, batchSize, size: SIZE, numLabels: 2, seed, mode, db, ...rest });
}

describe('BatchStream, train mode', () => {
  test('fixed shapes, pixels and labels of the right images, -1 masked', async () => {
    const s = stream('train', 'train', 8);
    await s.init();
    expect(s.numImages).toBe(50);
    const batch = await s.next();
    expect(batch.batchSize).toBe(8);
    expect(batch.size).toBe(SIZE);
    expect(batch.valid).toBe(8);
    expect(batch.pixels).toHaveLength(8 * AREA);
    expect(batch.labels).toHaveLength(16);
    expect(batch.mask).toHaveLength(16);
    rowsOf(batch).forEach((i, r) => {
      expect(batch.pixels.subarray(r * AREA, (r + 1) * AREA).every((v) => v === i)).toBe(true);
      const expected = labelsFor(i);
      expect([batch.labels[r * 2], batch.labels[r * 2 + 1]]).toEqual(expected.map((v) => (v === 1 ? 1 : 0)));
      expect([batch.mask[r * 2], batch.mask[r * 2 + 1]]).toEqual(expected.map((v) => (v === -1 ? 0 : 1)));
    });
  });

  test('each epoch is a fresh shuffle without repeats; the ragged tail is dropped', async () => {
    const s = stream('train', 'train', 8, { seed: 4 });
    await s.init();
    const epochs: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const seen: number[] = [];
      for (let b = 0; b < 6; b++) seen.push(...rowsOf(await s.next())); // 50 images / 8 = 6 full batches, 2 dropped
      expect(new Set(seen).size).toBe(48);
      epochs.push(seen);
    }
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[2]).not.toEqual(epochs[1]);
    expect(s.epochsStarted).toBe(4); // the prefetch of batch 19 already opened epoch 4
  });

  test('deterministic per seed', async () => {
    const a = stream('train', 'train', 8, { seed: 9 });
    const b = stream('train', 'train', 8, { seed: 9 });
    const c = stream('train', 'train', 8, { seed: 10 });
    await Promise.all([a.init(), b.init(), c.init()]);
    const take = async (s: BatchStream) => [...rowsOf(await s.next()), ...rowsOf(await s.next())];
    const first = await take(a);
    expect(await take(b)).toEqual(first);
    expect(await take(c)).not.toEqual(first);
  });

  test('a stream started at batch k serves exactly what the uninterrupted stream serves from batch k (resume)', async () => {
    for (const [datasetId, batchSize] of [['ds', 8], ['tiny', 8]] as const) {
      const whole = stream('train', 'train', batchSize, { seed: 5, datasetId });
      await whole.init();
      const all: number[][] = [];
      for (let b = 0; b < 15; b++) all.push(rowsOf(await whole.next()));
      const resumed = stream('train', 'train', batchSize, { seed: 5, datasetId, startBatch: 9 });
      await resumed.init();
      for (let b = 9; b < 15; b++) expect(rowsOf(await resumed.next())).toEqual(all[b]);
    }
  });

  test('a label fraction trains on a fixed, nested subset of the split, the same for every seed', async () => {
    const seen = async (fraction: number, seed: number) => {
      const s = stream('train', 'train', 5, { seed, trainFraction: fraction });
      await s.init();
      const rows = new Set<number>();
      for (let b = 0; b < 12; b++) for (const r of rowsOf(await s.next())) rows.add(r);
      return rows;
    };
    const tenth = await seen(0.1, 1); // round(50 * 0.1) = 5 images
    const fifth = await seen(0.2, 1); // 10 images
    expect(tenth.size).toBe(5);
    expect(fifth.size).toBe(10);
    for (const r of tenth) expect(fifth.has(r)).toBe(true);
    expect(await seen(0.1, 7)).toEqual(tenth);
  });

  test('prefetch: the next three batches are read while the caller works on the current one', async () => {
    const s = stream('train', 'train', 8);
    await s.init();
    await s.next();
    await sleep(50); // the caller "trains"; no next() call is made meanwhile
    expect(s.imagesRead).toBe(32); // the served batch and three read ahead
    const waitedBefore = s.msWaiting;
    await s.next();
    expect(s.msWaiting - waitedBefore).toBeLessThan(20); // served from a prefetched batch
    await sleep(50);
    expect(s.stats()).toMatchObject({ batchesServed: 2, imagesRead: 40 });
  });

  test('a split smaller than the batch fills the batch from consecutive epochs', async () => {
    const s = stream('train', 'train', 8, { datasetId: 'tiny' });
    await s.init();
    const rows = rowsOf(await s.next());
    expect(rows).toHaveLength(8);
    expect(new Set(rows)).toEqual(new Set([100, 101, 102]));
  });

  test('empty split and wrong mode fail clearly', async () => {
    const empty = stream('train', 'test', 8);
    await expect(empty.init()).rejects.toThrow(/Split 'test' of dataset ds has no stored images/);
    const evalStream = stream('eval', 'val', 8);
    await evalStream.init();
    await expect(evalStream.next()).rejects.toThrow(/'eval' mode/);
    await expect(stream('train', 'train', 8).next()).rejects.toThrow(/init\(\) first/);
  });
});

describe('BatchStream, eval mode', () => {
  async function collect(s: BatchStream): Promise<Batch[]> {
    const out: Batch[] = [];
    for await (const batch of s.epoch()) out.push(batch);
    return out;
  }

  test('one pass over every image once; last batch padded with repeated rows and valid = real rows', async () => {
    const s = stream('eval', 'val', 10);
    await s.init();
    const batches = await collect(s);
    expect(batches.map((b) => b.valid)).toEqual([10, 10, 3]);
    expect(batches.every((b) => b.pixels.length === 10 * AREA)).toBe(true);
    const real = batches.flatMap((b) => rowsOf(b).slice(0, b.valid));
    expect(real.sort((x, y) => x - y)).toEqual(Array.from({ length: 23 }, (_, i) => 50 + i));
    const last = rowsOf(batches[2]);
    expect(last.slice(3)).toEqual([last[0], last[1], last[2], last[0], last[1], last[2], last[0]]);
  });

  test('the same order at every evaluation; maxImages picks a fixed subset holding both classes', async () => {
    const s = stream('eval', 'val', 4, { maxImages: 8, seed: 1 });
    await s.init();
    expect(s.numImages).toBe(8);
    const first = (await collect(s)).flatMap(rowsOf);
    const second = (await collect(s)).flatMap(rowsOf);
    expect(second).toEqual(first);
    expect(new Set(first.map((i) => i % 2)).size).toBe(2);
    const again = stream('eval', 'val', 4, { maxImages: 8, seed: 1 });
    await again.init();
    expect((await collect(again)).flatMap(rowsOf)).toEqual(first);
  });

  test("every eval row carries its image's key (padding rows repeat theirs); train batches carry none", async () => {
    const s = stream('eval', 'val', 10);
    await s.init();
    const batches = await collect(s);
    for (const b of batches) {
      expect(b.keys).toHaveLength(10);
      rowsOf(b).forEach((i, r) => expect(b.keys![r]).toBe(`img${String(i).padStart(4, '0')}.png`));
    }
    const train = stream('train', 'train', 8);
    await train.init();
    expect((await train.next()).keys).toBeUndefined();
  });

  test('prefetch in eval: the following batch is read before the caller asks for it', async () => {
    const s = stream('eval', 'val', 10);
    await s.init();
    const iterator = s.epoch();
    await iterator.next();
    await sleep(50);
    expect(s.imagesRead).toBe(20);
    await iterator.return(undefined);
  });
});
