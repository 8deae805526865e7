import { describe, expect, test } from 'vitest';
import { IngestJobs } from '../../src/lab/ingestJobs';
import { getKeys } from '../../src/storage/datasets';
import type { LabDb } from '../../src/storage/schema';
import { fakeFile, freshDb } from '../data/helpers';
import { SPLITS, type FileEntry, type IngestProgress } from '../../src/run/datasets';
const SIZE = 8;

/** Stored keys of a dataset over all splits. */
const storedKeys = async (datasetId: string, db: LabDb) => (await Promise.all(SPLITS.map((split) => getKeys(datasetId, split, db)))).flat();
const decodeFake = async (_blob: Blob, size: number) => new Uint8Array(size * size).fill(7);

function kermany(perClass: number): FileEntry[] {
  const files: FileEntry[] = [];
  for (let i = 0; i < perClass; i++) {
    files.push(fakeFile(`kermany/NORMAL/IM-${1000 + i}-0001.jpeg`), fakeFile(`kermany/PNEUMONIA/person${i}_virus_${i}.jpeg`));
  }
  return files;
}

type FakeNode = FakeDir | { kind: 'file'; name: string; getFile(): Promise<File> };
interface FakeDir {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<FakeNode>;
}

/** A FileSystemDirectoryHandle stand-in built from '/'-paths below `name`. */
function fakeHandle(name: string, paths: string[], opts: { failOn?: string } = {}): FileSystemDirectoryHandle {
  const dir = (dirName: string, prefix: string): FakeDir => ({
    kind: 'directory',
    name: dirName,
    async *values() {
      const children = new Set(paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]));
      for (const child of children) {
        if (opts.failOn === child) throw Object.assign(new Error('A requested file or directory could not be found'), { name: 'NotFoundError' });
        const full = prefix + child;
        if (paths.includes(full)) yield { kind: 'file', name: child, getFile: async () => new File([`${name}/${full}`], child) };
        else yield dir(child, `${full}/`);
      }
    },
  });
  return dir(name, '') as unknown as FileSystemDirectoryHandle;
}

describe('IngestJobs', () => {
  test('files from the page: layout detected, its own parser options only, seed and label fraction applied', async () => {
    const db = await freshDb();
    const jobs = new IngestJobs({ decode: decodeFake, db, storageSize: SIZE });
    const result = await jobs.run(1, { files: kermany(20) }, 'kermany', {
      seed: 3,
      trainFraction: 0.5,
      // An option meant for another layout must not reach class-folders (it would change the dataset id).
      parserOptions: { chexpert: { uncertainty: 'ones' } },
    }, () => undefined);
    expect(result.manifest.layout).toBe('class-folders');
    expect(result.cancelled).toBe(false);
    const { counts } = result.manifest;
    expect(counts.val + counts.test).toBeGreaterThan(0);
    expect(result.ingested).toBe(counts.train + counts.val + counts.test);
    expect(result.ingested).toBeLessThan(40);
    expect(result.manifest.notes.join(' ')).toMatch(/Label fraction 50 %/);
    const withoutOptions = await jobs.run(2, { files: kermany(20) }, 'kermany', { seed: 3 }, () => undefined);
    expect(withoutOptions.datasetId).toBe(result.datasetId);
    const otherSeed = await jobs.run(3, { files: kermany(20) }, 'kermany', { seed: 4 }, () => undefined);
    expect(otherSeed.datasetId).not.toBe(result.datasetId);
  });

  test('a folder handle is walked in the job: same paths (root name first) as the drop gives', async () => {
    const db = await freshDb();
    const paths = kermany(6).map((f) => f.path.slice('kermany/'.length));
    const progress: IngestProgress[] = [];
    const jobs = new IngestJobs({ decode: decodeFake, db, storageSize: SIZE });
    const result = await jobs.run(1, { handle: fakeHandle('kermany', [...paths, '.DS_Store']) }, 'kermany', {}, (p) => progress.push(p));
    expect(progress[0].phase).toBe('scanning');
    expect(result.ingested).toBe(12);
    // The same dataset id as the files of a drop: a resume finds what the first attempt stored.
    const fromDrop = await new IngestJobs({ decode: decodeFake, db, storageSize: SIZE }).run(2, { files: kermany(6) }, 'kermany', {}, () => undefined);
    expect(fromDrop.datasetId).toBe(result.datasetId);
    expect(fromDrop.ingested).toBe(0);
    expect((await storedKeys(result.datasetId, db)).sort()).toEqual(kermany(6).map((f) => f.path).sort());
  });

  test('cancel(id) stops that job with what it stored kept; running it again stores only the rest', async () => {
    const db = await freshDb();
    let decoded = 0;
    const jobs = new IngestJobs({
      db, storageSize: SIZE, concurrency: 2, chunkSize: 4,
      decode: async (blob, size) => {
        if (++decoded === 10) jobs.cancel(7);
        return decodeFake(blob, size);
      },
    });
    jobs.cancel(99); // an unknown id is ignored
    const first = await jobs.run(7, { files: kermany(20) }, 'kermany', {}, () => undefined);
    expect(first.cancelled).toBe(true);
    expect(first.manifest.incomplete).toBe(true);
    const stored = (await storedKeys(first.datasetId, db)).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(40);
    const second = await jobs.run(8, { files: kermany(20) }, 'kermany', {}, () => undefined);
    expect(second.cancelled).toBe(false);
    expect(second.ingested).toBe(40 - stored);
    expect(await storedKeys(first.datasetId, db)).toHaveLength(40);
  });

  test('a folder that cannot be read again gets a clear message', async () => {
    const jobs = new IngestJobs({ decode: decodeFake, db: await freshDb(), storageSize: SIZE });
    const handle = fakeHandle('kermany', ['NORMAL/a.jpeg', 'PNEUMONIA/b.jpeg'], { failOn: 'PNEUMONIA' });
    await expect(jobs.run(1, { handle }, 'kermany', {}, () => undefined)).rejects.toThrow(/Could not read the folder "kermany" again \(NotFoundError/);
    const empty = fakeHandle('empty', []);
    await expect(jobs.run(2, { handle: empty }, 'empty', {}, () => undefined)).rejects.toThrow('The folder "empty" holds no files.');
  });
});
