/**
 * IndexedDB cache of loaded backbones, so that a reload does not ask for a 344 MB file again. Its own database
 * (not the dataset's), one record per tensor so that writing and reading stream like the file load does.
 * Stored tensors are the checkpoint's, filtered and renamed to the lab's names but not resampled, so the cache
 * serves any later input size through the same planCheckpoint path as a file.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CheckpointReader, CheckpointTensorInfo } from '../formats/checkpointReader';

export const MODELS_DB_NAME = 'cxr-peft-lab-models';
const MODELS_DB_VERSION = 1;

export interface CachedBackboneInfo {
  id: string;
  fileName: string;
  fileSize: number;
  sourceFormat: 'safetensors' | 'pth' | 'cached';
  savedAt: number;
  /** false while tensors are still being written (an interrupted load leaves it false and it is never used) */
  complete: boolean;
  tensors: { name: string; shape: number[] }[];
  metadata: Record<string, string>;
  /** what the original file contained that was left out, for the summary of a cached load */
  ignored: { name: string; reason: string }[];
}

interface StoredTensor {
  backboneId: string;
  name: string;
  data: Float32Array;
}

interface ModelsDb extends DBSchema {
  backbones: { key: string; value: CachedBackboneInfo };
  tensors: { key: [string, string]; value: StoredTensor };
}

function openModelsDb(): Promise<IDBPDatabase<ModelsDb>> {
  return openDB<ModelsDb>(MODELS_DB_NAME, MODELS_DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('backbones', { keyPath: 'id' });
      db.createObjectStore('tensors', { keyPath: ['backboneId', 'name'] });
    },
  });
}

export function indexedDbAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}

export function backboneIdOf(file: Blob & { name?: string; lastModified?: number }): string {
  return `${file.name ?? 'checkpoint'}:${file.size}:${file.lastModified ?? 0}`;
}

/** Writes one backbone tensor by tensor; `finish` marks it complete, `abort` removes what was written. */
export class BackboneCacheWriter {
  private constructor(
    private readonly db: IDBPDatabase<ModelsDb>,
    private readonly info: CachedBackboneInfo,
  ) {}

  static async begin(info: Omit<CachedBackboneInfo, 'complete' | 'savedAt' | 'tensors'>): Promise<BackboneCacheWriter> {
    const db = await openModelsDb();
    await deleteCachedBackbone(info.id, db);
    const full: CachedBackboneInfo = { ...info, complete: false, savedAt: Date.now(), tensors: [] };
    await db.put('backbones', full);
    return new BackboneCacheWriter(db, full);
  }

  async put(name: string, shape: number[], data: Float32Array): Promise<void> {
    await this.db.put('tensors', { backboneId: this.info.id, name, data });
    this.info.tensors.push({ name, shape });
  }

  async finish(): Promise<void> {
    await this.db.put('backbones', { ...this.info, complete: true, savedAt: Date.now() });
    this.db.close();
  }

  async abort(): Promise<void> {
    await deleteCachedBackbone(this.info.id, this.db);
    this.db.close();
  }
}

export async function listCachedBackbones(): Promise<CachedBackboneInfo[]> {
  const db = await openModelsDb();
  const all = await db.getAll('backbones');
  db.close();
  return all.filter((b) => b.complete).sort((a, b) => b.savedAt - a.savedAt);
}

export async function deleteCachedBackbone(id: string, openDb?: IDBPDatabase<ModelsDb>): Promise<void> {
  const db = openDb ?? (await openModelsDb());
  const tx = db.transaction(['backbones', 'tensors'], 'readwrite');
  await tx.objectStore('tensors').delete(IDBKeyRange.bound([id, ''], [id, '\uffff']));
  await tx.objectStore('backbones').delete(id);
  await tx.done;
  if (!openDb) db.close();
}

/** A cached backbone seen through the same reader interface as a file. */
export async function openCachedBackbone(id: string): Promise<{ reader: CheckpointReader; info: CachedBackboneInfo } | null> {
  const db = await openModelsDb();
  const info = await db.get('backbones', id);
  if (!info || !info.complete) {
    db.close();
    return null;
  }
  const tensors: CheckpointTensorInfo[] = info.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'F32', unreadable: null }));
  const reader: CheckpointReader = {
    format: 'cached',
    tensors,
    metadata: info.metadata,
    async read(name: string): Promise<Float32Array> {
      const stored = await db.get('tensors', [id, name]);
      if (!stored) throw new Error(`cached backbone ${id} lost tensor ${name}; load the file again`);
      return stored.data;
    },
    close: () => db.close(),
  };
  return { reader, info };
}
