import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { deletePendingIngest, listPendingIngests, rememberIngest } from '../../src/storage/pendingIngests';
import { openLabDb } from '../../src/storage/schema';

let counter = 0;
const freshPendingDb = () => openLabDb(`pending-test-${process.pid}-${++counter}`);

/** A plain, structured-cloneable stand-in for a FileSystemDirectoryHandle (fake-indexeddb clones what it stores). */
const handle = (name: string, path = name) => ({ kind: 'directory', name, path }) as unknown as FileSystemDirectoryHandle;
const samePath = async (a: FileSystemDirectoryHandle, b: FileSystemDirectoryHandle) =>
  (a as unknown as { path: string }).path === (b as unknown as { path: string }).path;

describe('pending ingests (resume records)', () => {
  test('kept with the handle and the choices, listed newest first, deleted by id', async () => {
    const db = await freshPendingDb();
    const choices = { layout: 'chexpert', seed: 2, trainFraction: 0.1, parserOptions: { chexpert: { policy: 'ones' } } };
    const a = await rememberIngest(handle('nih'), 'nih', {}, { db, now: 1000, sameFolder: samePath });
    const b = await rememberIngest(handle('CheXpert-v1.0-small'), 'CheXpert-v1.0-small', choices, { db, now: 2000, sameFolder: samePath });
    const listed = await listPendingIngests(db);
    expect(listed.map((r) => r.name)).toEqual(['CheXpert-v1.0-small', 'nih']);
    expect(listed[0]).toEqual({ id: b.id, name: 'CheXpert-v1.0-small', handle: handle('CheXpert-v1.0-small'), choices, startedAt: 2000 });
    await deletePendingIngest(b.id, db);
    expect((await listPendingIngests(db)).map((r) => r.id)).toEqual([a.id]);
    await deletePendingIngest('no such id', db);
    expect(await listPendingIngests(db)).toHaveLength(1);
  });

  test('a new ingest of the same folder replaces its older record; other folders stay', async () => {
    const db = await freshPendingDb();
    await rememberIngest(handle('images', '/a/images'), 'images', { seed: 0 }, { db, now: 1, sameFolder: samePath });
    await rememberIngest(handle('images', '/b/images'), 'images', { seed: 0 }, { db, now: 2, sameFolder: samePath });
    const again = await rememberIngest(handle('images', '/a/images'), 'images', { seed: 5 }, { db, now: 3, sameFolder: samePath });
    const listed = await listPendingIngests(db);
    expect(listed.map((r) => [(r.handle as unknown as { path: string }).path, r.choices.seed])).toEqual([['/a/images', 5], ['/b/images', 0]]);
    expect(listed[0].id).toBe(again.id);
  });

  test('a record whose folder cannot be compared any more (gone) is not taken for the same folder', async () => {
    const db = await freshPendingDb();
    await rememberIngest(handle('old'), 'old', {}, { db, now: 1, sameFolder: samePath });
    const gone = async () => {
      throw Object.assign(new Error('gone'), { name: 'NotFoundError' });
    };
    await rememberIngest(handle('new'), 'new', {}, { db, now: 2, sameFolder: gone });
    expect((await listPendingIngests(db)).map((r) => r.name)).toEqual(['new', 'old']);
  });
});
