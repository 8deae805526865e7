/**
 * The models of stored runs that the page explains (saliency), kept alive between requests: building one reloads its
 * backbone and checkpoint from IndexedDB, which would make every slider move or second label cost that again. At
 * most `capacity` models are kept (two: the side-by-side view); the least recently used one is disposed when a
 * third is asked for, and all are disposed when training starts (the trainer frees their memory for the run).
 */
import type { RunSummary } from '../run/runs';
import type { VitModel } from '../model/vit';
import { storedModel } from './runLibrary';

export interface CachedModel {
  model: VitModel;
  norm: { mean: number; std: number };
  /** Which checkpoint, in words. */
  from: string;
}

export class StoredModelCache {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Promise<CachedModel>>();

  constructor(
    private readonly capacity = 2,
    private readonly build: (run: RunSummary) => Promise<CachedModel> = storedModel,
  ) {}

  /** The run's model; a run stored again since (resumed, finished with a better checkpoint) is built anew. */
  get(run: RunSummary): Promise<CachedModel> {
    const key = `${run.id}@${run.updatedAt}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    for (const k of [...this.entries.keys()]) if (k.startsWith(`${run.id}@`)) this.evict(k);
    const built = this.build(run);
    this.entries.set(key, built);
    built.catch(() => this.entries.get(key) === built && this.entries.delete(key));
    while (this.entries.size > this.capacity) this.evict(this.entries.keys().next().value!);
    return built;
  }

  /** Models alive now (for tests and the resources figures). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const k of [...this.entries.keys()]) this.evict(k);
  }

  private evict(key: string): void {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    entry?.then(
      (m) => m.model.dispose(),
      () => undefined,
    );
  }
}
