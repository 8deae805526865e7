/**
 * Unfinished ingests of folders that came with a FileSystemDirectoryHandle (a drop in Chromium, or
 * showDirectoryPicker), kept in IndexedDB so that after a reload the page can offer "Resume ingest of <name>":
 * the handle is walked again and only the missing images are decoded (stored keys are skipped by the ingest).
 * Handles are structured-cloneable, which is what lets IndexedDB keep them (WHATWG File System spec,
 * "FileSystemHandle" is [Serializable]). A folder from <input webkitdirectory> has no handle and gets no record.
 *
 * A database of its own rather than a store in the lab's: the lab's schema stays as it is, and a record is small.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { IngestChoices } from '../run/datasets';

export const PENDING_DB_NAME = 'cxr-peft-lab-pending-ingests';
const PENDING_DB_VERSION = 1;

export interface PendingIngest {
  id: string;
  /** The dataset name the ingest stores (the folder's name as the page showed it). */
  name: string;
  handle: FileSystemDirectoryHandle;
  /** The choices of the first attempt: a resume must compute the same dataset id to skip what is stored. */
  choices: IngestChoices;
  startedAt: number;
}

interface PendingSchema extends DBSchema {
  pending: { key: string; value: PendingIngest };
}

export type PendingDb = IDBPDatabase<PendingSchema>;

export function openPendingDb(name: string = PENDING_DB_NAME): Promise<PendingDb> {
  return openDB<PendingSchema>(name, PENDING_DB_VERSION, {
    upgrade(database) {
      database.createObjectStore('pending', { keyPath: 'id' });
    },
  });
}

let shared: Promise<PendingDb> | null = null;
function sharedPendingDb(): Promise<PendingDb> {
  if (!shared) {
    shared = openPendingDb();
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}

/** Newest first. */
export async function listPendingIngests(db?: PendingDb): Promise<PendingIngest[]> {
  const all = await (db ?? (await sharedPendingDb())).getAll('pending');
  return all.sort((a, b) => b.startedAt - a.startedAt);
}

export async function deletePendingIngest(id: string, db?: PendingDb): Promise<void> {
  await (db ?? (await sharedPendingDb())).delete('pending', id);
}

export interface RememberOptions {
  db?: PendingDb;
  now?: number;
  /** Whether two handles point at the same folder; FileSystemHandle.isSameEntry in the browser. */
  sameFolder?: (a: FileSystemDirectoryHandle, b: FileSystemDirectoryHandle) => Promise<boolean>;
}

const isSameEntry = (a: FileSystemDirectoryHandle, b: FileSystemDirectoryHandle) => a.isSameEntry(b);

/**
 * Records an ingest that is about to start. An older record of the same folder is replaced: the new attempt
 * carries the user's latest choices, and one folder must not offer two resumes.
 */
export async function rememberIngest(handle: FileSystemDirectoryHandle, name: string, choices: IngestChoices, options: RememberOptions = {}): Promise<PendingIngest> {
  const db = options.db ?? (await sharedPendingDb());
  const sameFolder = options.sameFolder ?? isSameEntry;
  for (const older of await listPendingIngests(db)) {
    // A handle whose folder is gone may throw here; it is not the same folder then.
    if (await sameFolder(older.handle, handle).catch(() => false)) await db.delete('pending', older.id);
  }
  const startedAt = options.now ?? Date.now();
  const record: PendingIngest = { id: `${startedAt}-${Math.random().toString(36).slice(2, 10)}`, name, handle, choices, startedAt };
  await db.put('pending', record);
  return record;
}
