/**
 * Cache of loaded backbones, so that a reload does not ask for a 344 MB file again: one record per tensor so that
 * writing and reading stream like the file load does. Stored tensors are the checkpoint's, filtered and renamed to
 * the lab's names but not resampled, so the cache serves any later input size through the same planCheckpoint path
 * as a file.
 */
import type { CheckpointReader, CheckpointTensorInfo } from '../formats/checkpointReader';
import { labDb, type CachedBackboneInfo, type LabDb } from './schema';

export function backboneIdOf(file: Blob & { name?: string; lastModified?: number }): string {
  return `${file.name ?? 'checkpoint'}:${file.size}:${file.lastModified ?? 0}`;
}

/** Writes one backbone tensor by tensor; `finish` marks it complete, `abort` removes what was written. */
export class BackboneCacheWriter {
  private constructor(
    private readonly db: LabDb,
    private readonly info: CachedBackboneInfo,
  ) {}

  static async begin(info: Omit<CachedBackboneInfo, 'complete' | 'savedAt' | 'tensors'>, db?: LabDb): Promise<BackboneCacheWriter> {
    const open = await labDb(db);
    await deleteCachedBackbone(info.id, open);
    const full: CachedBackboneInfo = { ...info, complete: false, savedAt: Date.now(), tensors: [] };
    await open.put('backbones', full);
    return new BackboneCacheWriter(open, full);
  }

  async put(name: string, shape: number[], data: Float32Array): Promise<void> {
    await this.db.put('backboneTensors', { backboneId: this.info.id, name, data });
    this.info.tensors.push({ name, shape });
  }

  async finish(): Promise<void> {
    await this.db.put('backbones', { ...this.info, complete: true, savedAt: Date.now() });
  }

  async abort(): Promise<void> {
    await deleteCachedBackbone(this.info.id, this.db);
  }
}

export async function listCachedBackbones(db?: LabDb): Promise<CachedBackboneInfo[]> {
  const all = await (await labDb(db)).getAll('backbones');
  return all.filter((b) => b.complete).sort((a, b) => b.savedAt - a.savedAt);
}

export async function deleteCachedBackbone(id: string, db?: LabDb): Promise<void> {
  const tx = (await labDb(db)).transaction(['backbones', 'backboneTensors'], 'readwrite');
  await tx.objectStore('backboneTensors').delete(IDBKeyRange.bound([id, ''], [id, '\uffff']));
  await tx.objectStore('backbones').delete(id);
  await tx.done;
}

/** A cached backbone seen through the same reader interface as a file. */
export async function openCachedBackbone(id: string, db?: LabDb): Promise<{ reader: CheckpointReader; info: CachedBackboneInfo } | null> {
  const open = await labDb(db);
  const info = await open.get('backbones', id);
  if (!info || !info.complete) return null;
  const tensors: CheckpointTensorInfo[] = info.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'F32', unreadable: null }));
  const reader: CheckpointReader = {
    format: 'cached',
    tensors,
    metadata: info.metadata,
    async read(name: string): Promise<Float32Array> {
      const stored = await open.get('backboneTensors', [id, name]);
      if (!stored) throw new Error(`cached backbone ${id} lost tensor ${name}; load the file again`);
      return stored.data;
    },
    // The shared connection stays open for the realm; nothing to release per reader.
    close: () => undefined,
  };
  return { reader, info };
}
