/**
 * Moves the records of the two databases the lab used before schema version 2 (resume records of unfinished
 * ingests, and cached checkpoints) into the one lab database, then deletes the old databases. Copying is
 * idempotent (same keys), so an interrupted move simply runs again on the next start.
 */
import { deleteDB, openDB, type IDBPDatabase } from 'idb';
import type { LabDb } from './schema';

export const LEGACY_PENDING_DB = 'cxr-peft-lab-pending-ingests';
export const LEGACY_MODELS_DB = 'cxr-peft-lab-models';

/** Names of the databases of this origin; [] where the browser cannot list them (then there is nothing to move). */
async function existingDatabases(): Promise<Set<string>> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return new Set();
  return new Set((await indexedDB.databases()).map((d) => d.name ?? ''));
}

/** Opens a legacy database at whatever version it has, without creating or upgrading anything (untyped: old schema). */
function openLegacy(name: string): Promise<IDBPDatabase> {
  return openDB(name);
}

export async function migrateLegacyDatabases(db: LabDb): Promise<{ pendingIngests: number; backbones: number }> {
  const existing = await existingDatabases();
  const moved = { pendingIngests: 0, backbones: 0 };
  if (existing.has(LEGACY_PENDING_DB)) {
    const old = await openLegacy(LEGACY_PENDING_DB);
    if (old.objectStoreNames.contains('pending')) {
      for (const record of await old.getAll('pending')) {
        await db.put('pendingIngests', record);
        moved.pendingIngests++;
      }
    }
    old.close();
    // Not awaited: a tab still running the old code keeps the database open and would block the delete until it closes.
    void deleteDB(LEGACY_PENDING_DB).catch(() => undefined);
  }
  if (existing.has(LEGACY_MODELS_DB)) {
    const old = await openLegacy(LEGACY_MODELS_DB);
    if (old.objectStoreNames.contains('backbones') && old.objectStoreNames.contains('tensors')) {
      for (const info of await old.getAll('backbones')) {
        // Tensor by tensor, one transaction each: a ViT-B checkpoint is 344 MB and must not be held at once.
        for (const key of await old.getAllKeys('tensors', IDBKeyRange.bound([info.id, ''], [info.id, '\uffff']))) {
          const tensor = await old.get('tensors', key);
          if (tensor) await db.put('backboneTensors', tensor);
        }
        await db.put('backbones', info);
        moved.backbones++;
      }
    }
    old.close();
    void deleteDB(LEGACY_MODELS_DB).catch(() => undefined);
  }
  return moved;
}
