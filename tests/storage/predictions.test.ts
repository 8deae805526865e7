import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { LAB_DB_VERSION, openLabDb } from '../../src/storage/schema';
import { getPredictions, putPredictions, storedPredictionSplits } from '../../src/storage/predictions';
import { deleteRun, getRun, putRun } from '../../src/storage/runs';
import type { RunPredictions } from '../../src/run/predictions';
import type { RunSummary } from '../../src/run/runs';

let n = 0;
const uniqueName = () => `predictions-test-${process.pid}-${++n}`;

function predictions(runId: string, split: RunPredictions['split'], step: number): RunPredictions {
  return {
    runId, split, step, datasetId: 'd', labels: ['A', 'B'], keys: ['x.png', 'y.png'],
    scores: new Float32Array([0.1, 0.9, 0.7, 0.2]), targets: new Float32Array([0, 1, 1, 0]), masks: new Float32Array([1, 1, 1, 0]),
  };
}

const run = { id: 'r1', name: 'r1', createdAt: '2026-01-01T00:00:00Z' } as RunSummary;

describe('stored predictions (schema version 4)', () => {
  test('one record per run and split, read back as written; a new write of a split replaces it', async () => {
    const db = await openLabDb(uniqueName());
    await putPredictions(predictions('r1', 'val', 10), db);
    await putPredictions(predictions('r1', 'test', 10), db);
    await putPredictions(predictions('r1', 'val', 20), db);
    await putPredictions(predictions('r2', 'val', 5), db);
    const val = await getPredictions('r1', 'val', db);
    expect(val?.step).toBe(20);
    expect(val?.scores).toBeInstanceOf(Float32Array);
    expect([...val!.scores]).toEqual([...new Float32Array([0.1, 0.9, 0.7, 0.2])]);
    expect(val?.keys).toEqual(['x.png', 'y.png']);
    expect((await storedPredictionSplits('r1', db)).sort()).toEqual(['test', 'val']);
    expect(await getPredictions('r3', 'val', db)).toBeUndefined();
    db.close();
  });

  test('deleting a run deletes its predictions, not another run\'s', async () => {
    const db = await openLabDb(uniqueName());
    await putRun(run, db);
    await putPredictions(predictions('r1', 'val', 10), db);
    await putPredictions(predictions('r1', 'test', 10), db);
    await putPredictions(predictions('r2', 'val', 5), db);
    await deleteRun('r1', db);
    expect(await getRun('r1', db)).toBeUndefined();
    expect(await storedPredictionSplits('r1', db)).toEqual([]);
    expect(await getPredictions('r2', 'val', db)).toBeDefined();
    db.close();
  });

  test('a version-3 database is upgraded to version 4: its runs stay, the predictions store is added', async () => {
    const name = uniqueName();
    const v3 = await openDB(name, 3, {
      upgrade(db) {
        for (const s of ['datasets', 'pendingIngests', 'backbones', 'runs', 'grids']) db.createObjectStore(s, { keyPath: 'id' });
        db.createObjectStore('images', { keyPath: ['datasetId', 'key'] }).createIndex('bySplit', ['datasetId', 'split']);
        db.createObjectStore('backboneTensors', { keyPath: ['backboneId', 'name'] });
        db.createObjectStore('runMetrics', { keyPath: ['runId', 'seq'] });
        db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
        db.createObjectStore('checkpointTensors', { keyPath: ['runId', 'kind', 'generation', 'group', 'name'] });
      },
    });
    await v3.put('runs', run);
    v3.close();
    const db = await openLabDb(name);
    expect(LAB_DB_VERSION).toBe(4);
    expect(db.version).toBe(4);
    expect(db.objectStoreNames.contains('runPredictions')).toBe(true);
    expect((await getRun('r1', db))?.name).toBe('r1');
    await putPredictions(predictions('r1', 'test', 3), db);
    expect((await getPredictions('r1', 'test', db))?.step).toBe(3);
    db.close();
  });
});
