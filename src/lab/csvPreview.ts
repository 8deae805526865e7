/**
 * Reads the header and first rows of each CSV in a dropped folder, for the generic-CSV column chooser. Reading
 * stops after the sample (an index of 200k rows is not read to the end). Runs in the ingest worker; tested in tests/lab/csvPreview.test.ts.
 */
import { streamCsvRows } from '../formats/csvStream';
import { suggestColumns } from '../data/layouts/genericCsv';
import { isIgnoredPath } from '../data/fileSource';
import { extensionOf } from '../data/pathIndex';
import type { FileEntry } from '../run/datasets';
import type { CsvPreview, CsvRow } from '../run/layoutOptions';

/** As many rows as genericCsv's own guess looks at, so the preview and the parser agree. */
export const PREVIEW_ROWS = 50;

class SampleFull extends Error {}

export async function previewCsv(entry: FileEntry, rows = PREVIEW_ROWS): Promise<CsvPreview> {
  const header: string[] = [];
  const sample: CsvRow[] = [];
  const stop = new AbortController();
  try {
    await streamCsvRows(entry.file, {
      fileName: entry.path,
      signal: stop.signal,
      onHeader: (fields) => header.push(...fields),
      onRow: (row) => {
        sample.push(row);
        if (sample.length >= rows) {
          stop.abort();
          throw new SampleFull();
        }
      },
    });
  } catch (error) {
    if (!(error instanceof SampleFull)) {
      const message = error instanceof Error ? error.message : String(error);
      return { path: entry.path, header: [], sample: [], suggestion: { labelColumns: [] }, error: message };
    }
  }
  return { path: entry.path, header, sample, suggestion: suggestColumns(header, sample) };
}

/** Every .csv of the drop that the ingest would read (the same files genericCsv chooses from), sorted by path. */
export async function previewCsvs(files: readonly FileEntry[]): Promise<CsvPreview[]> {
  const csvs = files.filter((f) => extensionOf(f.path) === 'csv' && !isIgnoredPath(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  return Promise.all(csvs.map((f) => previewCsv(f)));
}
