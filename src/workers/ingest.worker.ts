/**
 * The ingest worker: index parsing (papaparse over 100k+ rows), splits, counts and the IndexedDB writes run here,
 * so the page keeps answering input while the NIH or CheXpert index is read (e2e/study-datasets.spec.ts measures
 * the page's long tasks). A thin entry point: the work is src/lab/datasets.ts, exposed over Comlink.
 *
 * The decode pool is created here, nested in this worker, rather than on the page: each decoded image then goes
 * from a decode worker straight to this worker's IndexedDB writes and never through the page's thread. Chromium and
 * Firefox run nested dedicated workers, and Vite bundles the `new Worker(new URL(...))` inside decodePool.ts for
 * worker bundles as for the page.
 */
import * as Comlink from 'comlink';
import { DatasetService } from '../lab/datasets';
import { DecodePool } from './decodePool';
import type { IngestProgress } from '../run/datasets';

// Started on the first decode only: listing datasets or previewing a CSV starts no decode workers.
let pool: DecodePool | undefined;

class WorkerDatasetService extends DatasetService {
  override async ingest(...args: Parameters<DatasetService['ingest']>): ReturnType<DatasetService['ingest']> {
    try {
      return await super.ingest(...args);
    } finally {
      // Frees the MessageChannel behind the page's proxied progress callback.
      (args[4] as Comlink.Remote<(p: IngestProgress) => void>)[Comlink.releaseProxy]?.();
    }
  }
}

Comlink.expose(new WorkerDatasetService({ decode: (blob, size) => (pool ??= new DecodePool()).decode(blob, size) }));
