/** Test helpers: real files from the shared data folder (tests/sharedData.ts) and the fixtures folder as FileEntry lists. */
import { openAsBlob, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gunzipSync, unzipSync } from 'fflate';
import type { FileEntry } from '../../src/run/datasets';

import { REPO_ROOT, sharedDataFile } from '../sharedData';

export const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'data-study');

/** A file of the real index folder (real-index/ in the shared data folder). */
export function realIndexFile(...parts: string[]): string {
  return sharedDataFile('real-index', ...parts);
}

export async function blobOf(path: string): Promise<Blob> {
  return openAsBlob(path);
}

export function textOfGz(path: string): string {
  return new TextDecoder().decode(gunzipSync(readFileSync(path)));
}

export function rsnaLabelsCsv(): Uint8Array {
  const zip = unzipSync(readFileSync(realIndexFile('rsna_stage_2_train_labels.zip')));
  const csv = zip['stage_2_train_labels.csv'];
  if (!csv) throw new Error('stage_2_train_labels.csv not in the RSNA zip');
  return csv;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** A folder on disk as the browser would hand it over: paths relative to the folder's parent, root name first. */
export async function filesOfFolder(dir: string): Promise<FileEntry[]> {
  const parent = resolve(dir, '..');
  return Promise.all(walk(dir).sort().map(async (full) => ({ path: relative(parent, full).split('\\').join('/'), file: await openAsBlob(full) })));
}

/** An in-memory file; images get a tiny placeholder body (layout parsers never decode). */
export function memoryFile(path: string, content: string | Uint8Array = 'x'): FileEntry {
  return { path, file: new Blob([content as BlobPart]) };
}
