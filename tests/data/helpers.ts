/** Shared test helpers for tests/data: fake files and stored images with recognisable content. */
import 'fake-indexeddb/auto';
import { openLabDb, type LabDb } from '../../src/storage/schema';
import type { FileEntry, LabelValue, Split, StoredImage } from '../../src/run/datasets';

/** A FileEntry whose blob holds its own path as text (lets fake decoders know which file they got). */
export function fakeFile(path: string, content: string = path): FileEntry {
  return { path, file: new Blob([content]) };
}

export function fakeFiles(paths: string[]): FileEntry[] {
  return paths.map((p) => fakeFile(p));
}

let dbCounter = 0;
/** A fresh, isolated database per call (fake-indexeddb keeps them in memory). */
export function freshDb(): Promise<LabDb> {
  dbCounter++;
  return openLabDb(`test-db-${process.pid}-${dbCounter}-${Math.random()}`);
}

/** Image i: every pixel = i % 256, so a batch row tells which image it came from. */
export function storedImage(datasetId: string, i: number, split: Split, size: number, labels: LabelValue[]): StoredImage {
  return { datasetId, key: `img${String(i).padStart(4, '0')}.png`, split, labels, pixels: new Uint8Array(size * size).fill(i % 256) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
