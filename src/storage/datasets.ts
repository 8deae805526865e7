/**
 * Datasets in the lab's IndexedDB (schema.ts): manifests and decoded 8-bit images. Uses only IndexedDB (via
 * `idb`), so the same code runs in any worker. Every function takes an optional `db` last; without it the realm's
 * shared connection is used.
 */
import type { DatasetManifest, Split, StoredImage } from '../run/datasets';
import { labDb, type LabDb } from './schema';
import { chargeWrite } from './simulatedQuota';

/**
 * All image keys of one dataset. Arrays sort after strings in IndexedDB's key order, so [id, []] is above
 * every [id, "<path>"] (W3C Indexed Database API 3.0, §2.7 "Keys").
 */
function datasetRange(datasetId: string): IDBKeyRange {
  return IDBKeyRange.bound([datasetId], [datasetId, []]);
}

export async function putManifest(manifest: DatasetManifest, db?: LabDb): Promise<void> {
  await (await labDb(db)).put('datasets', manifest);
}

export async function getManifest(datasetId: string, db?: LabDb): Promise<DatasetManifest | undefined> {
  return (await labDb(db)).get('datasets', datasetId);
}

export async function listManifests(db?: LabDb): Promise<DatasetManifest[]> {
  const all = await (await labDb(db)).getAll('datasets');
  return all.sort((a, b) => b.createdAt - a.createdAt);
}

export async function deleteDataset(datasetId: string, db?: LabDb): Promise<void> {
  const tx = (await labDb(db)).transaction(['datasets', 'images'], 'readwrite');
  await Promise.all([tx.objectStore('images').delete(datasetRange(datasetId)), tx.objectStore('datasets').delete(datasetId), tx.done]);
}

/** One transaction: either the whole chunk is stored or none of it (e.g. on QuotaExceededError). */
export async function putImages(images: StoredImage[], db?: LabDb): Promise<void> {
  if (images.length === 0) return;
  chargeWrite(images.reduce((n, i) => n + i.pixels.byteLength, 0));
  const tx = (await labDb(db)).transaction('images', 'readwrite');
  const store = tx.objectStore('images');
  await Promise.all([...images.map((image) => store.put(image)), tx.done]);
}

/** Keys of one split, sorted; reads the index's keys only, never the pixels. */
export async function getKeys(datasetId: string, split: Split, db?: LabDb): Promise<string[]> {
  const primaryKeys = await (await labDb(db)).getAllKeysFromIndex('images', 'bySplit', IDBKeyRange.only([datasetId, split]));
  return primaryKeys.map(([, key]) => key);
}

/** Images in the order of `keys`, from one read transaction. A missing key is an error (the store changed). */
export async function getImages(datasetId: string, keys: string[], db?: LabDb): Promise<StoredImage[]> {
  const tx = (await labDb(db)).transaction('images', 'readonly');
  const store = tx.objectStore('images');
  const [images] = await Promise.all([Promise.all(keys.map((key) => store.get([datasetId, key]))), tx.done]);
  return images.map((image, i) => {
    if (!image) throw new Error(`Image '${keys[i]}' of dataset ${datasetId} is not in the store (was the dataset deleted?)`);
    return image;
  });
}

/** Which of `keys` are stored: one key-only scan of the dataset's range, no pixels read. */
export async function hasKeys(datasetId: string, keys: string[], db?: LabDb): Promise<Set<string>> {
  const stored = new Set((await (await labDb(db)).getAllKeys('images', datasetRange(datasetId))).map(([, key]) => key));
  return new Set(keys.filter((k) => stored.has(k)));
}

/**
 * Keys and labels of one split, in key order, without keeping any pixels (a cursor over the split's index: memory
 * stays bounded however large the dataset; IndexedDB still reads each record once).
 */
export async function listLabels(datasetId: string, split: Split, db?: LabDb): Promise<{ key: string; labels: StoredImage['labels'] }[]> {
  const out: { key: string; labels: StoredImage['labels'] }[] = [];
  let cursor = await (await labDb(db)).transaction('images').store.index('bySplit').openCursor(IDBKeyRange.only([datasetId, split]));
  while (cursor) {
    out.push({ key: cursor.value.key, labels: [...cursor.value.labels] });
    cursor = await cursor.continue();
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function countImages(datasetId: string, db?: LabDb): Promise<number> {
  return (await labDb(db)).count('images', datasetRange(datasetId));
}
