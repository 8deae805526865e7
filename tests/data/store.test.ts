import { describe, expect, test } from 'vitest';
import { freshDb, storedImage } from './helpers';
import {
  countImages, deleteDataset, getImages, getKeys, getManifest, hasKeys, listManifests, putImages, putManifest,
} from '../../src/storage/datasets';
import { openLabDb, sharedLabDb, LAB_DB_NAME } from '../../src/storage/schema';
import type { DatasetManifest } from '../../src/run/datasets';

function manifest(id: string, createdAt: number): DatasetManifest {
  return {
    id, name: `set ${id}`, layout: 'class-folders', labels: ['PNEUMONIA'], storageSize: 4,
    counts: { train: 2, val: 1, test: 0 }, positives: { train: [1], val: [0], test: [0] }, createdAt, notes: [],
  };
}

describe('IndexedDB store', () => {
  test('schema: the stores (datasets, images, resume records, cached backbones, runs and their predictions) and the bySplit index exist', async () => {
    const db = await freshDb();
    expect([...db.objectStoreNames].sort()).toEqual(['backboneTensors', 'backbones', 'checkpointTensors', 'checkpoints', 'datasets', 'grids', 'images', 'pendingIngests', 'runMetrics', 'runPredictions', 'runs']);
    const tx = db.transaction('images');
    expect(tx.store.keyPath).toEqual(['datasetId', 'key']);
    expect(tx.store.index('bySplit').keyPath).toEqual(['datasetId', 'split']);
    db.close();
  });

  test('manifests: put, get, list newest first', async () => {
    const db = await freshDb();
    await putManifest(manifest('a', 1), db);
    await putManifest(manifest('b', 2), db);
    expect((await getManifest('a', db))?.name).toBe('set a');
    expect(await getManifest('zzz', db)).toBeUndefined();
    expect((await listManifests(db)).map((m) => m.id)).toEqual(['b', 'a']);
    db.close();
  });

  test('images: keys per split (sorted, keys only), images in the requested order, hasKeys', async () => {
    const db = await freshDb();
    await putImages([storedImage('a', 3, 'train', 4, [1]), storedImage('a', 1, 'train', 4, [0]), storedImage('a', 2, 'val', 4, [1]), storedImage('b', 1, 'train', 4, [0])], db);
    expect(await getKeys('a', 'train', db)).toEqual(['img0001.png', 'img0003.png']);
    expect(await getKeys('a', 'val', db)).toEqual(['img0002.png']);
    expect(await getKeys('a', 'test', db)).toEqual([]);
    const images = await getImages('a', ['img0003.png', 'img0001.png'], db);
    expect(images.map((i) => i.pixels[0])).toEqual([3, 1]);
    expect(images[0].pixels).toBeInstanceOf(Uint8Array);
    expect(images[0].labels).toEqual([1]);
    await expect(getImages('a', ['nope.png'], db)).rejects.toThrow(/'nope.png' .* not in the store/);
    expect(await hasKeys('a', ['img0001.png', 'img0002.png', 'img0009.png'], db)).toEqual(new Set(['img0001.png', 'img0002.png']));
    expect(await countImages('a', db)).toBe(3);
    db.close();
  });

  test('deleteDataset removes the manifest and only its own images', async () => {
    const db = await freshDb();
    await putManifest(manifest('a', 1), db);
    await putManifest(manifest('ab', 1), db);
    await putImages([storedImage('a', 1, 'train', 4, [0]), storedImage('ab', 1, 'train', 4, [0]), storedImage('b', 2, 'val', 4, [1])], db);
    await deleteDataset('a', db);
    expect(await getManifest('a', db)).toBeUndefined();
    expect(await countImages('a', db)).toBe(0);
    expect(await countImages('ab', db)).toBe(1);
    expect(await countImages('b', db)).toBe(1);
    expect((await listManifests(db)).map((m) => m.id)).toEqual(['ab']);
    db.close();
  });

  test('without a db argument the shared cxr-peft-lab connection is used (and reused)', async () => {
    const shared = await sharedLabDb();
    expect(shared.name).toBe(LAB_DB_NAME);
    expect(await sharedLabDb()).toBe(shared);
    await putManifest(manifest('shared', 5));
    const other = await openLabDb();
    expect((await getManifest('shared', other))?.createdAt).toBe(5);
    other.close();
    await deleteDataset('shared');
    expect(await getManifest('shared')).toBeUndefined();
  });
});
