/**
 * Ingest jobs as the ingest worker runs them (src/workers/ingest.worker.ts): the user's choices are turned into
 * `ingestDataset` options, a folder handle is walked here (off the page's thread) when a resumed ingest sends one,
 * and each job can be cancelled by its id, since an AbortSignal cannot cross a worker boundary. No DOM, no Comlink:
 * tested in Node with a fake decoder (tests/lab/ingestJobs.test.ts).
 */
import { filesFromDirectoryHandle } from '../data/fileSource';
import { ingestDataset, type IngestOptions } from '../data/ingest';
import type { LabDb } from '../storage/schema';
import type { FileEntry, IngestSource, IngestChoices, IngestProgress, IngestResult } from '../run/datasets';

export interface IngestJobsOptions {
  decode: IngestOptions['decode'];
  /** Tests pass an isolated database; the worker uses the shared connection. */
  db?: LabDb;
  storageSize?: number;
  concurrency?: number;
  chunkSize?: number;
}

export class IngestJobs {
  private readonly running = new Map<number, AbortController>();

  constructor(private readonly options: IngestJobsOptions) {}

  /**
   * Runs one ingest. The job's AbortController is registered before the first await, so a `cancel(id)` that
   * arrives after `run(id…)` (messages keep their order) always finds it.
   */
  async run(id: number, source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void): Promise<IngestResult> {
    const abort = new AbortController();
    this.running.set(id, abort);
    try {
      const files = 'files' in source ? source.files : await this.walk(source.handle, name, onProgress);
      if (abort.signal.aborted) throw new Error('Ingest cancelled while reading the folder.');
      if (files.length === 0) throw new Error(`The folder "${name}" holds no files.`);
      // The layout is detected inside the ingest, after archives are expanded (their names say nothing of it), and
      // each parser gets only its own options from the choices.
      const { decode, db, storageSize, concurrency, chunkSize } = this.options;
      return await ingestDataset(files, {
        name, decode, db, storageSize, concurrency, chunkSize, onProgress, signal: abort.signal, excludeOutOfDistribution: choices.excludeOutOfDistribution,
        layout: choices.layout, parserOptionsByLayout: choices.parserOptions, seed: choices.seed, trainFraction: choices.trainFraction,
      });
    } finally {
      this.running.delete(id);
    }
  }

  /** Stops job `id` as Cancel does: decodes in flight finish and are stored, the rest is left for a resume. */
  cancel(id: number): void {
    this.running.get(id)?.abort();
  }

  private async walk(handle: FileSystemDirectoryHandle, name: string, onProgress: (p: IngestProgress) => void): Promise<FileEntry[]> {
    onProgress({ phase: 'scanning', done: 0, total: 0, skipped: 0, rate: 0, eta: Number.NaN });
    try {
      return await filesFromDirectoryHandle(handle);
    } catch (error) {
      // NotFoundError / NotReadableError: the folder was moved, deleted or its permission revoked since.
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`Could not read the folder "${name}" again (${why}). Add the folder again to resume.`);
    }
  }
}
