/**
 * Dropped archive files keep their FileSystemFileHandles (Chromium), so an archive ingest can resume after a
 * reload by reading the same archives again; and ingestDataset takes parser options by layout, since the layout of
 * an archive is known only once it is expanded.
 */
import { describe, expect, test } from 'vitest';
import { archiveHandlesFromDataTransfer, filesFromFileHandles } from '../../src/data/fileSource';
import { ingestDataset } from '../../src/data/ingest';
import { asFile, kermany, recordingDecoder, zipOf } from './archiveHelpers';
import { freshDb } from './helpers';

function fakeHandle(file: File) {
  return { kind: 'file', name: file.name, getFile: async () => file } as unknown as FileSystemFileHandle;
}

describe('archive handles', () => {
  test('only the dropped archives give handles; reading them again gives the same files', async () => {
    const zip = new File(['PK'], 'set.zip');
    const tgz = new File(['gz'], 'images_001.tar.gz');
    const items = [
      { kind: 'file', getAsFile: () => zip, getAsFileSystemHandle: async () => fakeHandle(zip) },
      { kind: 'file', getAsFile: () => new File(['x'], 'labels.csv'), getAsFileSystemHandle: async () => fakeHandle(new File(['x'], 'labels.csv')) },
      { kind: 'file', getAsFile: () => tgz, getAsFileSystemHandle: async () => fakeHandle(tgz) },
      { kind: 'file', getAsFile: () => new File([''], 'broken.tgz'), getAsFileSystemHandle: () => Promise.reject(new Error('refused')) },
      { kind: 'string', getAsFile: () => null },
    ];
    const handles = await archiveHandlesFromDataTransfer({ items } as unknown as DataTransfer);
    expect(handles.map((h) => h.name)).toEqual(['set.zip', 'images_001.tar.gz']);
    const files = await filesFromFileHandles(handles);
    expect(files.map((f) => f.path)).toEqual(['images_001.tar.gz', 'set.zip']);
    expect(files[1].file).toBe(zip);
  });
});

describe('parser options by layout', () => {
  test('a zip holding a generic CSV gets the generic-CSV options chosen for it', async () => {
    const images = [...kermany('NORMAL', 2), ...kermany('PNEUMONIA', 2)];
    const csv = ['file,Pneumonia,Effusion,age', ...images.map(([name], i) => `img/${name},${i >= 2 ? 1 : 0},${i % 2},${40 + i}`)].join('\n');
    const zip = zipOf({ 'set/labels.csv': new TextEncoder().encode(csv), ...Object.fromEntries(images.map(([name, bytes]) => [`set/img/${name}`, bytes])) });
    const result = await ingestDataset([{ path: 'set.zip', file: asFile(zip, 'set.zip') }], {
      name: 'generic', storageSize: 8, decode: recordingDecoder().decode, db: await freshDb(),
      parserOptionsByLayout: { 'generic-csv': { labelColumns: ['Pneumonia'] }, nih: { unused: true } },
    });
    expect(result.manifest.layout).toBe('generic-csv');
    expect(result.manifest.labels).toEqual(['Pneumonia']);
    expect(result.ingested).toBe(4);
  });
});
