/**
 * The lab's IndexedDB: dataset manifests and decoded 8-bit images. Uses only IndexedDB (via `idb`), so the same
 * code runs on the main thread and inside the trainer worker. Every function takes an optional `db` last;
 * without it the realm's shared connection is used.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetManifest, Split, StoredImage } from '../run/datasets';
export const LAB_DB_NAME = 'cxr-peft-lab';
export const LAB_DB_VERSION = 1;

interface LabSchema extends DBSchema {
  datasets: { key: string; value: DatasetManifest };
  images: {
    key: [string, string];
    value: StoredImage;
    indexes: { bySplit: [string, Split] };
  };
}

export type LabDb = IDBPDatabase<LabSchema>;

export async function openLabDb(name: string = LAB_DB_NAME): Promise<LabDb> {
  const db = await openDB<LabSchema>(name, LAB_DB_VERSION, {
    upgrade(database) {
      database.createObjectStore('datasets', { keyPath: 'id' });
      const images = database.createObjectStore('images', { keyPath: ['datasetId', 'key'] });
      images.createIndex('bySplit', ['datasetId', 'split']);
    },
    // Another tab wants a newer schema: let it, instead of blocking it forever.
    blocking() {
      db.close();
      if (sharedName === name) shared = null;
    },
  });
  return db;
}

let shared: Promise<LabDb> | null = null;
let sharedName = LAB_DB_NAME;

/** The connection used when a function gets no `db`: opened once per realm (page or worker) and reused. */
export function sharedLabDb(): Promise<LabDb> {
  if (!shared) {
    sharedName = LAB_DB_NAME;
    shared = openLabDb(LAB_DB_NAME);
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}

/**
 * All image keys of one dataset. Arrays sort after strings in IndexedDB's key order, so [id, []] is above
 * every [id, "<path>"] (W3C Indexed Database API 3.0, §2.7 "Keys").
 */
function datasetRange(datasetId: string): IDBKeyRange {
  return IDBKeyRange.bound([datasetId], [datasetId, []]);
}

export async function putManifest(manifest: DatasetManifest, db?: LabDb): Promise<void> {
  await (db ?? (await sharedLabDb())).put('datasets', manifest);
}

export async function getManifest(datasetId: string, db?: LabDb): Promise<DatasetManifest | undefined> {
  return (db ?? (await sharedLabDb())).get('datasets', datasetId);
}

export async function listManifests(db?: LabDb): Promise<DatasetManifest[]> {
  const all = await (db ?? (await sharedLabDb())).getAll('datasets');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export async function deleteDataset(datasetId: string, db?: LabDb): Promise<void> {
  const tx = (db ?? (await sharedLabDb())).transaction(['datasets', 'images'], 'readwrite');
  await Promise.all([tx.objectStore('images').delete(datasetRange(datasetId)), tx.objectStore('datasets').delete(datasetId), tx.done]);
}

/** One transaction: either the whole chunk is stored or none of it (e.g. on QuotaExceededError). */
export async function putImages(images: StoredImage[], db?: LabDb): Promise<void> {
  if (images.length === 0) return;
  const tx = (db ?? (await sharedLabDb())).transaction('images', 'readwrite');
  const store = tx.objectStore('images');
  await Promise.all([...images.map((image) => store.put(image)), tx.done]);
}

/** Keys of one split, sorted; reads the index's keys only, never the pixels. */
export async function getKeys(datasetId: string, split: Split, db?: LabDb): Promise<string[]> {
  const primaryKeys = await (db ?? (await sharedLabDb())).getAllKeysFromIndex('images', 'bySplit', IDBKeyRange.only([datasetId, split]));
  return primaryKeys.map(([, key]) => key);
}

/** Images in the order of `keys`, from one read transaction. A missing key is an error (the store changed). */
export async function getImages(datasetId: string, keys: string[], db?: LabDb): Promise<StoredImage[]> {
  const tx = (db ?? (await sharedLabDb())).transaction('images', 'readonly');
  const store = tx.objectStore('images');
  const [images] = await Promise.all([Promise.all(keys.map((key) => store.get([datasetId, key]))), tx.done]);
  return images.map((image, i) => {
    if (!image) throw new Error(`Image '${keys[i]}' of dataset ${datasetId} is not in the store (was the dataset deleted?)`);
    return image;
  });
}

/** Which of `keys` are stored: one key-only scan of the dataset's range, no pixels read. */
export async function hasKeys(datasetId: string, keys: string[], db?: LabDb): Promise<Set<string>> {
  const stored = new Set((await (db ?? (await sharedLabDb())).getAllKeys('images', datasetRange(datasetId))).map(([, key]) => key));
  return new Set(keys.filter((k) => stored.has(k)));
}

export async function countImages(datasetId: string, db?: LabDb): Promise<number> {
  return (db ?? (await sharedLabDb())).count('images', datasetRange(datasetId));
}
