import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { LAB_DB_VERSION, openLabDb } from '../../src/storage/schema';
import { LEGACY_MODELS_DB, LEGACY_PENDING_DB, migrateLegacyDatabases } from '../../src/storage/legacy';
import { getImages, getManifest } from '../../src/storage/datasets';
import { listPendingIngests } from '../../src/storage/pendingIngests';
import { listCachedBackbones, openCachedBackbone } from '../../src/storage/backbones';
import type { DatasetManifest } from '../../src/run/datasets';

let n = 0;
const uniqueName = () => `schema-test-${process.pid}-${++n}`;

const manifest: DatasetManifest = {
  id: 'd1', name: 'demo', layout: 'class-folders', labels: ['PNEUMONIA'], storageSize: 2,
  counts: { train: 1, val: 0, test: 0 }, positives: { train: [1], val: [0], test: [0] }, createdAt: 1, notes: [],
};

describe('the lab database schema', () => {
  test('a version-1 database (datasets and images only) is upgraded in place: its records stay, the new stores exist', async () => {
    const name = uniqueName();
    // The schema as version 1 shipped it.
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('datasets', { keyPath: 'id' });
        db.createObjectStore('images', { keyPath: ['datasetId', 'key'] }).createIndex('bySplit', ['datasetId', 'split']);
      },
    });
    await v1.put('datasets', manifest);
    await v1.put('images', { datasetId: 'd1', key: 'a.png', split: 'train', labels: [1], pixels: new Uint8Array([1, 2, 3, 4]) });
    v1.close();

    const db = await openLabDb(name);
    expect(db.version).toBe(LAB_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['backboneTensors', 'backbones', 'checkpointTensors', 'checkpoints', 'datasets', 'grids', 'images', 'pendingIngests', 'runMetrics', 'runPredictions', 'runs']);
    expect(await getManifest('d1', db)).toEqual(manifest);
    expect([...(await getImages('d1', ['a.png'], db))[0].pixels]).toEqual([1, 2, 3, 4]);
    db.close();
  });

  test('a new database gets every store at the current version', async () => {
    const db = await openLabDb(uniqueName());
    expect(db.version).toBe(LAB_DB_VERSION);
    expect(db.objectStoreNames.length).toBe(11);
    db.close();
  });
});

describe('records of the databases used before version 2 are moved into the lab database', () => {
  test('resume records and cached checkpoints (every tensor) are moved, and the old databases are deleted', async () => {
    const handle = { kind: 'directory', name: 'nih' } as unknown as FileSystemDirectoryHandle;
    const pending = await openDB(LEGACY_PENDING_DB, 1, { upgrade: (db) => void db.createObjectStore('pending', { keyPath: 'id' }) });
    await pending.put('pending', { id: 'p1', name: 'nih', handle, choices: { seed: 3 }, startedAt: 5 });
    pending.close();
    const models = await openDB(LEGACY_MODELS_DB, 1, {
      upgrade(db) {
        db.createObjectStore('backbones', { keyPath: 'id' });
        db.createObjectStore('tensors', { keyPath: ['backboneId', 'name'] });
      },
    });
    await models.put('backbones', {
      id: 'vit.pth:10:1', fileName: 'vit.pth', fileSize: 10, sourceFormat: 'pth', savedAt: 7, complete: true,
      tensors: [{ name: 'cls_token', shape: [1, 1, 2] }, { name: 'pos_embed', shape: [1, 1, 2] }], metadata: {}, ignored: [],
    });
    await models.put('tensors', { backboneId: 'vit.pth:10:1', name: 'cls_token', data: new Float32Array([1, 2]) });
    await models.put('tensors', { backboneId: 'vit.pth:10:1', name: 'pos_embed', data: new Float32Array([3, 4]) });
    models.close();

    const db = await openLabDb(uniqueName());
    expect(await migrateLegacyDatabases(db)).toEqual({ pendingIngests: 1, backbones: 1 });
    expect((await listPendingIngests(db)).map((p) => [p.id, p.name, p.choices.seed])).toEqual([['p1', 'nih', 3]]);
    expect((await listCachedBackbones(db)).map((b) => b.id)).toEqual(['vit.pth:10:1']);
    const cached = await openCachedBackbone('vit.pth:10:1', db);
    expect([...(await cached!.reader.read('pos_embed'))]).toEqual([3, 4]);

    await new Promise((r) => setTimeout(r, 50));
    const left = (await indexedDB.databases()).map((d) => d.name);
    expect(left).not.toContain(LEGACY_PENDING_DB);
    expect(left).not.toContain(LEGACY_MODELS_DB);
    // Nothing left to move: a second start is a no-op.
    expect(await migrateLegacyDatabases(db)).toEqual({ pendingIngests: 0, backbones: 0 });
    db.close();
  });
});
