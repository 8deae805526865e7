/**
 * Datasets as the page uses them: ingest a folder (or resume one), cancel, list and delete stored datasets, keep
 * and forget resume records, and the reads the dataset panel needs before an ingest (which layout a folder has, a
 * preview of its CSVs). One instance lives in the ingest worker (src/workers/ingest.worker.ts exposes it over
 * Comlink), so index parsing and IndexedDB writes never run on the page's thread.
 */
import { detectLayoutId, LAYOUTS } from '../data/layouts/registry';
import type { DatasetManifest, FileEntry, IngestChoices, IngestProgress, IngestResult, IngestSource, PendingIngest } from '../run/datasets';
import type { CsvPreview } from '../run/layoutOptions';
import { deleteDataset, listManifests } from '../storage/datasets';
import { deletePendingIngest, listPendingIngests, rememberIngest } from '../storage/pendingIngests';
import { previewCsvs } from './csvPreview';
import { IngestJobs, type IngestJobsOptions } from './ingestJobs';

export interface DatasetApi {
  /** `onProgress` is called fire-and-forget: the ingest never waits for the page to redraw. */
  ingest(id: number, source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void): Promise<IngestResult>;
  /** Stops ingest `id` as Cancel does: what was stored stays and the rest can be resumed. */
  cancel(id: number): Promise<void>;
  listDatasets(): Promise<DatasetManifest[]>;
  deleteDataset(id: string): Promise<void>;
  /** Ingests that did not finish and can resume from their folder handle, newest first. */
  pendingIngests(): Promise<PendingIngest[]>;
  /** Records an ingest of a folder with a handle, so that it can resume after a reload. */
  rememberIngest(handle: FileSystemDirectoryHandle, name: string, choices: IngestChoices): Promise<PendingIngest>;
  /** Forgets an unfinished ingest (its stored images stay). */
  discardPendingIngest(id: string): Promise<void>;
  /** The layouts the ingest knows, for choosing one by hand. */
  layouts(): Promise<{ id: string; name: string }[]>;
  /** The layout id the ingest would detect for these paths (undefined: none fits). */
  detectLayout(paths: string[]): Promise<string | undefined>;
  /** Header, first rows and guessed column roles of every CSV among the files (for the generic-CSV chooser). */
  previewCsvs(files: FileEntry[]): Promise<CsvPreview[]>;
}

export class DatasetService implements DatasetApi {
  private readonly jobs: IngestJobs;

  constructor(options: IngestJobsOptions) {
    this.jobs = new IngestJobs(options);
  }

  async ingest(id: number, source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void): Promise<IngestResult> {
    // A page that is going away (a reload mid-ingest) makes the progress call fail: that is no error here.
    const report = (p: IngestProgress) => void Promise.resolve(onProgress(p)).catch(() => undefined);
    return this.jobs.run(id, source, name, choices, report);
  }

  async cancel(id: number): Promise<void> {
    this.jobs.cancel(id);
  }

  listDatasets(): Promise<DatasetManifest[]> {
    return listManifests();
  }

  deleteDataset(id: string): Promise<void> {
    return deleteDataset(id);
  }

  pendingIngests(): Promise<PendingIngest[]> {
    return listPendingIngests();
  }

  rememberIngest(handle: FileSystemDirectoryHandle, name: string, choices: IngestChoices): Promise<PendingIngest> {
    return rememberIngest(handle, name, choices);
  }

  discardPendingIngest(id: string): Promise<void> {
    return deletePendingIngest(id);
  }

  async layouts(): Promise<{ id: string; name: string }[]> {
    return LAYOUTS.map((l) => ({ id: l.id, name: l.name }));
  }

  async detectLayout(paths: string[]): Promise<string | undefined> {
    return detectLayoutId(paths);
  }

  previewCsvs(files: FileEntry[]): Promise<CsvPreview[]> {
    return previewCsvs(files);
  }
}
