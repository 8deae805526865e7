import { describe, expect, test } from 'vitest';
import { ingestDataset } from '../../src/data/ingest';
import { getKeys } from '../../src/storage/datasets';
import { fakeFile, freshDb } from './helpers';
import type { FileEntry } from '../../src/run/datasets';

const SIZE = 8;
const decode = async (_blob: Blob, size: number) => new Uint8Array(size * size).fill(7);

/** 200 patients with one image each, class folders with a train/ and val/ level. */
function files(): FileEntry[] {
  const out: FileEntry[] = [];
  for (let i = 0; i < 100; i++) {
    out.push(fakeFile(`set/train/NORMAL/IM-${String(1000 + i)}-0001.jpeg`));
    out.push(fakeFile(`set/train/PNEUMONIA/person${i}_virus_${i}.jpeg`));
  }
  for (let i = 0; i < 10; i++) out.push(fakeFile(`set/val/NORMAL/IM-${String(5000 + i)}-0001.jpeg`));
  return out;
}

describe('label fractions at ingest', () => {
  test('ingests only the chosen share of the training split; a larger fraction later adds the rest, nested, same dataset', async () => {
    const db = await freshDb();
    const small = await ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db, trainFraction: 0.1 });
    expect(small.ingested).toBe(20 + 10); // 10 % of 200 training images + the whole validation split
    expect(small.manifest.counts).toEqual({ train: 20, val: 10, test: 0 });
    expect(small.manifest.notes.some((n) => /Label fraction 10 % of the training split: 20 of 200/.test(n))).toBe(true);
    const firstKeys = new Set(await getKeys(small.datasetId, 'train', db));

    const larger = await ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db, trainFraction: 0.5 });
    expect(larger.datasetId).toBe(small.datasetId);
    expect(larger.ingested).toBe(80); // only the images not stored yet
    const keys = await getKeys(larger.datasetId, 'train', db);
    expect(keys).toHaveLength(100);
    for (const k of firstKeys) expect(keys).toContain(k); // the 10 % set lies inside the 50 % set
  });

  test('a fraction outside (0, 1] is refused', async () => {
    const db = await freshDb();
    await expect(ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db, trainFraction: 0 })).rejects.toThrow(/fraction/);
  });

  test('parser options that change labels give another dataset, so stored labels are never stale', async () => {
    const db = await freshDb();
    const a = await ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db });
    const b = await ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db, parserOptions: { labelSet: 'other' } });
    const c = await ingestDataset(files(), { name: 'f', storageSize: SIZE, decode, db, parserOptions: { labelSet: 'other' } });
    expect(b.datasetId).not.toBe(a.datasetId);
    expect(c.datasetId).toBe(b.datasetId);
    expect(c.ingested).toBe(0);
  });
});
