import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ingestDataset } from '../../src/data/ingest';
import { getImages, getKeys, getManifest, countImages } from '../../src/storage/datasets';
import { type LabDb } from '../../src/storage/schema';
import { fakeFile, freshDb } from './helpers';
import type { FileEntry, IngestProgress } from '../../src/run/datasets';
const SIZE = 8;

/** Fake decoder: every pixel = the blob's byte length % 256, so stored pixels can be traced back to the file. */
function fakeDecode(log: string[] = []) {
  return async (blob: Blob, size: number) => {
    const text = await blob.text();
    log.push(text);
    return new Uint8Array(size * size).fill(blob.size % 256);
  };
}

function kermanyFiles(perClass: number): FileEntry[] {
  const files: FileEntry[] = [];
  for (let i = 0; i < perClass; i++) {
    files.push(fakeFile(`kermany/NORMAL/IM-${String(1000 + i).padStart(4, '0')}-0001.jpeg`));
    files.push(fakeFile(`kermany/PNEUMONIA/person${i}_bacteria_${i}.jpeg`));
  }
  return files;
}

async function ingest(files: FileEntry[], db: LabDb, extra: Partial<Parameters<typeof ingestDataset>[1]> = {}) {
  return ingestDataset(files, { name: 'test set', storageSize: SIZE, decode: fakeDecode(), db, concurrency: 3, chunkSize: 4, ...extra });
}

describe('ingestDataset', () => {
  test('stores every image once with its split and labels; manifest counts and positives', async () => {
    const db = await freshDb();
    const progress: IngestProgress[] = [];
    const files = [...kermanyFiles(20), fakeFile('kermany/readme.txt')];
    const result = await ingest(files, db, { onProgress: (p) => progress.push(p) });
    expect(result.cancelled).toBe(false);
    expect(result.ingested).toBe(40);
    expect(result.skipped).toEqual([{ path: 'kermany/readme.txt', reason: expect.stringMatching(/not an image/) }]);
    const m = result.manifest;
    expect(m).toMatchObject({ id: result.datasetId, name: 'test set', layout: 'class-folders', labels: ['PNEUMONIA'], storageSize: SIZE, incomplete: false });
    expect(m.counts.train + m.counts.val + m.counts.test).toBe(40);
    expect(m.positives.train[0] + m.positives.val[0] + m.positives.test[0]).toBe(20);
    expect(await getManifest(result.datasetId, db)).toEqual(m);
    const trainKeys = await getKeys(result.datasetId, 'train', db);
    expect(trainKeys).toHaveLength(m.counts.train);
    const [image] = await getImages(result.datasetId, [trainKeys[0]], db);
    expect(image.pixels).toHaveLength(SIZE * SIZE);
    expect(image.pixels[0]).toBe(new Blob([trainKeys[0]]).size % 256);
    expect(image.labels).toEqual([trainKeys[0].includes('PNEUMONIA') ? 1 : 0]);
    expect(progress[0].phase).toBe('scanning');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 40, total: 40, skipped: 0 });
    expect(progress.some((p) => p.phase === 'decoding')).toBe(true);
  });

  test('same folder again -> same id, nothing decoded twice; other settings -> another id', async () => {
    const db = await freshDb();
    const first = await ingest(kermanyFiles(10), db);
    const log: string[] = [];
    const second = await ingest([...kermanyFiles(10)].reverse(), db, { decode: fakeDecode(log) });
    expect(second.datasetId).toBe(first.datasetId);
    expect(log).toEqual([]);
    expect(second.ingested).toBe(0);
    expect(second.manifest.counts).toEqual(first.manifest.counts);
    expect(second.manifest.createdAt).toBe(first.manifest.createdAt);
    const other = await ingest(kermanyFiles(10), db, { storageSize: 4 });
    expect(other.datasetId).not.toBe(first.datasetId);
    expect(await countImages(first.datasetId, db)).toBe(20);
  });

  test('abort keeps what was stored, marks the manifest incomplete; a second run resumes with only the rest', async () => {
    const db = await freshDb();
    const controller = new AbortController();
    const firstLog: string[] = [];
    const decode = fakeDecode(firstLog);
    const first = await ingest(kermanyFiles(25), db, {
      signal: controller.signal,
      decode: async (blob, size) => {
        if (firstLog.length === 12) controller.abort();
        return decode(blob, size);
      },
    });
    expect(first.cancelled).toBe(true);
    const storedAfterAbort = await countImages(first.datasetId, db);
    expect(storedAfterAbort).toBe(first.ingested);
    expect(storedAfterAbort).toBeGreaterThanOrEqual(12); // decodes already running are finished and stored
    expect(storedAfterAbort).toBeLessThan(50);
    expect((await getManifest(first.datasetId, db))?.incomplete).toBe(true);

    const resumeLog: string[] = [];
    const second = await ingest(kermanyFiles(25), db, { decode: fakeDecode(resumeLog) });
    expect(second.datasetId).toBe(first.datasetId);
    expect(resumeLog).toHaveLength(50 - storedAfterAbort);
    expect(new Set([...firstLog, ...resumeLog]).size).toBe(50);
    expect(second.manifest.incomplete).toBe(false);
    expect(await countImages(first.datasetId, db)).toBe(50);
  });

  test('a throwing decode is listed as skipped with its reason; the rest is stored', async () => {
    const db = await freshDb();
    const broken = 'kermany/PNEUMONIA/person3_bacteria_3.jpeg';
    const decode = fakeDecode();
    const result = await ingest(kermanyFiles(5), db, {
      decode: async (blob, size) => {
        if ((await blob.text()) === broken) throw new Error('not a decodable image (truncated or corrupt)');
        return decode(blob, size);
      },
    });
    expect(result.skipped).toEqual([{ path: broken, reason: 'not a decodable image (truncated or corrupt)' }]);
    expect(result.ingested).toBe(9);
    expect(result.manifest.incomplete).toBe(false);
    expect(Object.values(result.manifest.counts).reduce((a, b) => a + b, 0)).toBe(9);
  });

  test('wrong pixel count from the decoder is a skip, not a crash', async () => {
    const db = await freshDb();
    const result = await ingest(kermanyFiles(2), db, { decode: async () => new Uint8Array(3) });
    expect(result.ingested).toBe(0);
    expect(result.skipped.map((p) => p.reason)).toEqual(new Array(4).fill(`decoder returned 3 bytes, expected ${SIZE * SIZE}`));
  });

  test('QuotaExceededError stops cleanly with a clear message and keeps the stored chunks', async () => {
    const db = await freshDb();
    let imageWrites = 0;
    // A db whose third image transaction fails like a full disk does.
    const full = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return (stores: string | string[], mode?: IDBTransactionMode) => {
          if (stores === 'images' && mode === 'readwrite' && ++imageWrites === 3) {
            const done = Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
            return { objectStore: () => ({ put: () => Promise.resolve() }), done };
          }
          return target.transaction(stores as 'images', mode);
        };
      },
    }) as LabDb;
    const progress: IngestProgress[] = [];
    const result = await ingest(kermanyFiles(20), full, { concurrency: 1, onProgress: (p) => progress.push(p) });
    expect(result.cancelled).toBe(true);
    expect(result.error).toMatch(/^Browser storage is full \(QuotaExceededError\): 8 of 40 images are stored and kept/);
    expect(result.ingested).toBe(8);
    expect(await countImages(result.datasetId, db)).toBe(8);
    expect(result.manifest.incomplete).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'error', message: result.error });
  });

  test('an empty or unrecognised folder fails with a readable message', async () => {
    const db = await freshDb();
    await expect(ingest([fakeFile('x/notes.txt')], db)).rejects.toThrow(/No known dataset layout/);
    await expect(ingest([fakeFile('x/A/notes.txt'), fakeFile('x/B/a.png')], db, { layout: 'class-folders', decode: fakeDecode() }))
      .resolves.toMatchObject({ ingested: 1 });
  });

  test('the real NIH sample index ingests through the nih layout with 14 labels', async () => {
    const db = await freshDb();
    const csv = readFileSync('tests/fixtures/data/Data_Entry_2017_v2020.csv', 'utf8');
    const names = csv.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const files = [fakeFile('nih/Data_Entry_2017_v2020.csv', csv), ...names.map((n) => fakeFile(`nih/images/${n}`))];
    const result = await ingest(files, db, { seed: 3 });
    expect(result.manifest.layout).toBe('nih');
    expect(result.manifest.labels).toHaveLength(14);
    expect(result.ingested).toBe(212);
    const pneumonia = result.manifest.positives.train[6] + result.manifest.positives.val[6] + result.manifest.positives.test[6];
    expect(pneumonia).toBe(110);
  });
});
