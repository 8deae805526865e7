/**
 * Datasets as downloaded: .zip, .tar and .tar.gz files dropped as they are (one or several, with loose files
 * beside them) are ingested without unpacking: layouts see the members' paths, the decoder gets each member's
 * exact bytes, keys are paths inside the archive (so adding the archive again resumes), bad archives are refused by
 * name, and a tar pass reads one member ahead at most. Radiographs: the committed Kermany fixture, and the NIH
 * sample of the shared real data (that test needs ../shared/data, see tests/sharedData.ts).
 */
import { describe, expect, test } from 'vitest';
import { openDatasetSource, type ReadItem } from '../../src/data/datasetSource';
import { ingestDataset } from '../../src/data/ingest';
import { getManifest, hasKeys } from '../../src/storage/datasets';
import { CountingBlob, asFile, gzipOf, kermany, nihSample, recordingDecoder, sha, tarOf, zipOf } from './archiveHelpers';
import { freshDb } from './helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';
import type { FileEntry } from '../../src/run/datasets';

const SIZE = 8;

function classFolderFiles(perClass: number, root = 'chest_xray'): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const cls of ['NORMAL', 'PNEUMONIA'] as const) for (const [name, bytes] of kermany(cls, perClass)) files[`${root}/${cls}/${name}`] = bytes;
  return files;
}

async function drain(items: AsyncIterator<ReadItem>): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for (let next = await items.next(); !next.done; next = await items.next()) out.push(next.value);
  return out;
}

describe('archives as dataset sources', () => {
  test('a zip of class folders (stored and deflated members, macOS debris) is ingested with the exact bytes', async () => {
    const images = classFolderFiles(6);
    const zip = zipOf(
      { ...images, '__MACOSX/chest_xray/NORMAL/._IM-0115-0001.jpeg': new Uint8Array([0, 5, 22]), 'chest_xray/.DS_Store': new Uint8Array(8) },
      (p) => p.includes('NORMAL'),
    );
    const { decode, seen } = recordingDecoder();
    const db = await freshDb();
    const result = await ingestDataset([{ path: 'chest_xray.zip', file: asFile(zip, 'chest_xray.zip') }], { name: 'zip', storageSize: SIZE, decode, db, concurrency: 3, chunkSize: 4 });
    expect(result.ingested).toBe(12);
    // Hidden and system files are skipped silently: not in the report.
    expect(result.skipped).toEqual([]);
    expect(result.manifest.layout).toBe('class-folders');
    expect(result.manifest.notes.some((n) => /chest_xray\.zip: 12 files read from the zip archive/.test(n))).toBe(true);
    expect(seen.map((s) => s.digest).sort()).toEqual(Object.values(images).map(sha).sort());
    // Keys are the paths inside the archive.
    expect([...(await hasKeys(result.datasetId, Object.keys(images), db))].sort()).toEqual(Object.keys(images).sort());
  });

  test('tar and tar.gz: the same images, the same keys, one streaming pass to list and one to read', async () => {
    const images = classFolderFiles(5);
    for (const [name, bytes] of [['x.tar', await tarOf(images)], ['x.tar.gz', await gzipOf(await tarOf(images))], ['x.tgz', await gzipOf(await tarOf(images))]] as const) {
      const { decode, seen } = recordingDecoder();
      const db = await freshDb();
      const result = await ingestDataset([{ path: name, file: asFile(bytes, name) }], { name, storageSize: SIZE, decode, db, concurrency: 4 });
      expect(result.ingested, name).toBe(10);
      expect(seen.map((s) => s.digest).sort(), name).toEqual(Object.values(images).map(sha).sort());
      expect((await hasKeys(result.datasetId, Object.keys(images), db)).size, name).toBe(10);
    }
  });

  test.skipIf(SKIP_WITHOUT_SHARED_DATA)('NIH as downloaded: the loose Data_Entry CSV plus several image .tar.gz archives, one dataset', async () => {
    const { images, csv } = nihSample(9);
    const names = [...images.keys()];
    const part = (from: number, to: number) => Object.fromEntries(names.slice(from, to).map((n) => [`images/${n}`, images.get(n)!]));
    const files: FileEntry[] = [
      { path: 'Data_Entry_2017_v2020.csv', file: asFile(csv, 'Data_Entry_2017_v2020.csv') },
      { path: 'images_001.tar.gz', file: asFile(await gzipOf(await tarOf(part(0, 3))), 'images_001.tar.gz') },
      { path: 'images_002.tar.gz', file: asFile(await gzipOf(await tarOf(part(3, 6))), 'images_002.tar.gz') },
      { path: 'images_003.tar.gz', file: asFile(await gzipOf(await tarOf(part(6, 9))), 'images_003.tar.gz') },
    ];
    const { decode, seen } = recordingDecoder();
    const db = await freshDb();
    const result = await ingestDataset(files, { name: 'NIH', storageSize: SIZE, decode, db, concurrency: 2 });
    expect(result.manifest.layout).toBe('nih');
    expect(result.ingested).toBe(9);
    expect(result.skipped).toEqual([]);
    expect(seen.map((s) => s.digest).sort()).toEqual([...images.values()].map(sha).sort());
    expect((await hasKeys(result.datasetId, names.map((n) => `images/${n}`), db)).size).toBe(9);
  });

  test('an archive ingest stopped half-way resumes: adding the same archive again decodes only the missing images', async () => {
    const images = classFolderFiles(8);
    const archive = asFile(await gzipOf(await tarOf(images)), 'set.tar.gz');
    const db = await freshDb();
    const abort = new AbortController();
    const first = recordingDecoder();
    const stopAfter = async (blob: Blob, size: number) => {
      if (first.seen.length === 5) abort.abort();
      return first.decode(blob, size);
    };
    const partial = await ingestDataset([{ path: 'set.tar.gz', file: archive }], { name: 'set', storageSize: SIZE, decode: stopAfter, db, concurrency: 1, chunkSize: 1, signal: abort.signal });
    expect(partial.cancelled).toBe(true);
    expect((await getManifest(partial.datasetId, db))?.incomplete).toBe(true);
    const storedBefore = partial.ingested;
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(16);

    const second = recordingDecoder();
    const resumed = await ingestDataset([{ path: 'set.tar.gz', file: archive }], { name: 'set', storageSize: SIZE, decode: second.decode, db, concurrency: 3 });
    expect(resumed.datasetId).toBe(partial.datasetId);
    expect(resumed.ingested).toBe(16 - storedBefore);
    expect(second.seen).toHaveLength(16 - storedBefore);
    expect(resumed.manifest.incomplete).toBe(false);
    expect(resumed.manifest.notes.some((n) => new RegExp(`${storedBefore} images were already stored`).test(n))).toBe(true);
  });

  test('the same path in two archives: those members get their archive name in front; other paths stay as they are', async () => {
    const a = kermany('NORMAL', 2);
    const b = kermany('PNEUMONIA', 2);
    const [a1, a2] = [...a.values()];
    const [b1, b2] = [...b.values()];
    const zipA = zipOf({ 'set/NORMAL/same.jpeg': a1, 'set/NORMAL/only-a.jpeg': a2 });
    const zipB = zipOf({ 'set/NORMAL/same.jpeg': b1, 'set/PNEUMONIA/only-b.jpeg': b2 });
    const source = await openDatasetSource([
      { path: 'part-a.zip', file: asFile(zipA, 'part-a.zip') },
      { path: 'part-b.zip', file: asFile(zipB, 'part-b.zip') },
    ]);
    expect(source.files.map((f) => f.path)).toEqual(['part-a/set/NORMAL/same.jpeg', 'part-b/set/NORMAL/same.jpeg', 'set/NORMAL/only-a.jpeg', 'set/PNEUMONIA/only-b.jpeg']);
    expect(source.notes.filter((n) => /same path as another dropped file/.test(n))).toHaveLength(2);
  });

  test('the same image under two names (in a folder or an archive) is stored once and the copy reported', async () => {
    const [[name, bytes], [otherName, other]] = [...kermany('NORMAL', 2)];
    const pneumonia = [...kermany('PNEUMONIA', 2)];
    const files: FileEntry[] = [
      { path: `set/NORMAL/${name}`, file: asFile(bytes, name) },
      { path: 'set/NORMAL/copy of it.jpeg', file: asFile(bytes, 'copy of it.jpeg') },
      { path: `set/NORMAL/${otherName}`, file: asFile(other, otherName) },
      ...pneumonia.map(([n, b]) => ({ path: `set/PNEUMONIA/${n}`, file: asFile(b, n) })),
    ];
    const { decode, seen } = recordingDecoder();
    const db = await freshDb();
    const result = await ingestDataset(files, { name: 'dupes', storageSize: SIZE, decode, db, concurrency: 3 });
    expect(result.ingested).toBe(4);
    expect(seen).toHaveLength(4);
    const copies = result.skipped.filter((s) => /same content as/.test(s.reason));
    expect(copies).toHaveLength(1);
    // Sorted paths: "copy of it.jpeg" < "IM-..." in code-unit order? 'I' (0x49) < 'c' (0x63): the IM file comes first.
    expect(copies[0]).toEqual({ path: 'set/NORMAL/copy of it.jpeg', reason: `same content as set/NORMAL/${name}: stored once` });
    expect(result.manifest.notes).toContain('1 files have the same content as another file and were stored once.');
  });

  test('a tar pass reads one member ahead at most: memory is bounded by the largest member, not the archive', async () => {
    // 12 members of 1 MiB of incompressible bytes (a plain tar, so bytes streamed = archive bytes read).
    const random = (seed: number) => {
      const out = new Uint8Array(1 << 20);
      let x = seed;
      for (let i = 0; i < out.length; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
      return out;
    };
    const members: Record<string, Uint8Array> = {};
    for (let i = 0; i < 12; i++) members[`set/${i % 2 ? 'NORMAL' : 'PNEUMONIA'}/img${String(i).padStart(2, '0')}.png`] = random(i + 1);
    const tar = await tarOf(members);
    const archive = new CountingBlob([tar as BlobPart]);
    const source = await openDatasetSource([{ path: 'big.tar', file: archive }]);
    expect(source.files).toHaveLength(12);
    archive.bytesStreamed = 0;
    const items = source.read(source.files);
    const first = await items.next();
    expect(first.done).toBe(false);
    // The decoder's 1 MiB buffer + the member + stream chunks; far less than the 12 MiB archive.
    expect(archive.bytesStreamed).toBeLessThan(3.5 * (1 << 20));
    const rest = await drain(items);
    expect(rest).toHaveLength(11);
    expect(archive.bytesStreamed).toBeGreaterThanOrEqual(tar.length - 10240);
  });

  test('archives refused by name: an entry escaping its folder, a zip bomb, a truncated tar.gz; the rest is ingested', async () => {
    const good = classFolderFiles(3);
    const escaping = zipOf({ '../../evil/NORMAL/x.jpeg': good[Object.keys(good)[0]] });
    const bomb = zipOf({ 'bomb/NORMAL/zeros.png': new Uint8Array(8 << 20) });
    const tarGz = await gzipOf(await tarOf(good));
    const files: FileEntry[] = [
      { path: 'good.zip', file: asFile(zipOf(good, () => true), 'good.zip') },
      { path: 'escape.zip', file: asFile(escaping, 'escape.zip') },
      { path: 'bomb.zip', file: asFile(bomb, 'bomb.zip') },
      { path: 'cut.tar.gz', file: asFile(tarGz.subarray(0, Math.floor(tarGz.length / 2)), 'cut.tar.gz') },
      { path: 'not-a-zip.zip', file: asFile(new TextEncoder().encode('hello'), 'not-a-zip.zip') },
    ];
    const { decode } = recordingDecoder();
    const result = await ingestDataset(files, { name: 'mixed', storageSize: SIZE, decode, db: await freshDb() });
    expect(result.ingested).toBe(6);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.path, s.reason]));
    expect(reasons['escape.zip']).toMatch(/archive not read: zip entry "\.\.\/\.\.\/evil\/NORMAL\/x\.jpeg" escapes the archive's folder/);
    expect(reasons['bomb.zip']).toMatch(/archive not read: zip entry "bomb\/NORMAL\/zeros\.png" inflates \d+ times its compressed size \(limit 100\): refused as a zip bomb/);
    expect(reasons['cut.tar.gz']).toMatch(/archive not read: (truncated|corrupt)/);
    expect(reasons['not-a-zip.zip']).toMatch(/archive not read: not a zip archive/);
  });

  test('cancelling while an archive is listed stops with an AbortError; progress reports the bytes read', async () => {
    const tar = await tarOf(classFolderFiles(4));
    const abort = new AbortController();
    const seen: number[] = [];
    const source = await openDatasetSource([{ path: 'a.tar', file: asFile(tar, 'a.tar') }], { onProgress: (p) => seen.push(p.bytesRead) });
    expect(source.files).toHaveLength(8);
    expect(seen.at(-1)).toBe(tar.length);
    abort.abort();
    await expect(openDatasetSource([{ path: 'a.tar', file: asFile(tar, 'a.tar') }], { signal: abort.signal })).rejects.toThrow(/cancelled/);
  });
});
