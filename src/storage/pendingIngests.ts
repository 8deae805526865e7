/**
 * Unfinished ingests of folders that came with a FileSystemDirectoryHandle, so that after a reload the page can
 * offer "Resume ingest of <name>": the handle is walked again and only the missing images are decoded (stored keys
 * are skipped by the ingest). A folder from <input webkitdirectory> has no handle and gets no record.
 */
import type { IngestChoices, PendingIngest } from '../run/datasets';
import { labDb, type LabDb } from './schema';

/** Newest first. */
export async function listPendingIngests(db?: LabDb): Promise<PendingIngest[]> {
  const all = await (await labDb(db)).getAll('pendingIngests');
  return all.sort((a, b) => b.startedAt - a.startedAt);
}

export async function deletePendingIngest(id: string, db?: LabDb): Promise<void> {
  await (await labDb(db)).delete('pendingIngests', id);
}

export interface RememberOptions {
  db?: LabDb;
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
  const db = await labDb(options.db);
  const sameFolder = options.sameFolder ?? isSameEntry;
  for (const older of await listPendingIngests(db)) {
    // A handle whose folder is gone may throw here; it is not the same folder then.
    if (await sameFolder(older.handle, handle).catch(() => false)) await db.delete('pendingIngests', older.id);
  }
  const startedAt = options.now ?? Date.now();
  const record: PendingIngest = { id: `${startedAt}-${Math.random().toString(36).slice(2, 10)}`, name, handle, choices, startedAt };
  await db.put('pendingIngests', record);
  return record;
}
