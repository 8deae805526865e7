/**
 * The ingest worker: index parsing (papaparse over 100k+ rows), splits, counts and the IndexedDB writes run here,
 * so the page keeps answering input while the NIH or CheXpert index is read (e2e/study-datasets.spec.ts measures
 * the page's long tasks). The page reaches it only through src/ui/bridge.ts.
 *
 * The decode pool is created here, nested in this worker, rather than on the page: each decoded image then goes
 * from a decode worker straight to this worker's IndexedDB writes and never through the page's thread, and the
 * ingest needs no decode round trip through the page. Chromium and Firefox run nested dedicated workers, and Vite
 * bundles the `new Worker(new URL(...))` inside decodePool.ts for worker bundles as for the page.
 */
import * as Comlink from 'comlink';
import { IngestJobs } from '../lab/ingestJobs';
import { DecodePool } from './decodePool';
import type { IngestProgress, IngestResult } from '../run/datasets';
import { type IngestChoices, type IngestSource } from '../run/datasets';
// Started on the first job only: a worker that is never asked to ingest starts no decode workers.
let pool: DecodePool | undefined;
const jobs = new IngestJobs({ decode: (blob, size) => (pool ??= new DecodePool()).decode(blob, size) });

export interface IngestWorkerApi {
  /** `onProgress` arrives as a Comlink proxy; the page passes a plain function through the bridge. */
  ingest(id: number, source: IngestSource, name: string, choices: IngestChoices, onProgress: (p: IngestProgress) => void): Promise<IngestResult>;
  cancel(id: number): void;
}

const api: IngestWorkerApi = {
  async ingest(id, source, name, choices, onProgress) {
    try {
      // Progress calls are fire-and-forget: the ingest never waits for the page to redraw, and a page that is
      // going away (a reload mid-ingest) is no error here.
      const report = (p: IngestProgress) => void Promise.resolve(onProgress(p)).catch(() => undefined);
      return await jobs.run(id, source, name, choices, report);
    } finally {
      // Frees the MessageChannel behind the proxied callback.
      (onProgress as Comlink.Remote<(p: IngestProgress) => void>)[Comlink.releaseProxy]?.();
    }
  },
  cancel: (id) => jobs.cancel(id),
};

Comlink.expose(api);
