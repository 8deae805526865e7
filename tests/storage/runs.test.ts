import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { openLabDb, type LabDb } from '../../src/storage/schema';
import {
  appendMetrics, deleteRun, getRun, listRuns, loadCheckpoint, putRun, readMetrics, runCheckpointBytes, saveCheckpoint, truncateMetrics,
} from '../../src/storage/runs';
import type { RunCheckpoint } from '../../src/run/checkpoints';
import type { RunSummary } from '../../src/run/runs';
import type { RunConfig } from '../../src/run/records';
import { STUDY_LORA } from '../../src/run/loraConfig';

let n = 0;
const freshDb = () => openLabDb(`runs-test-${process.pid}-${++n}`);

const config = { datasetId: 'd', method: 'lora', preset: 'tiny', lora: STUDY_LORA, seed: 1 } as unknown as RunConfig;
function summary(id: string, createdAt: string): RunSummary {
  return {
    id, name: id, source: 'browser', datasetId: 'd', datasetName: 'demo', labels: ['x'], config, status: 'running', step: 0,
    resumeStep: null, createdAt, updatedAt: createdAt, wallMs: 0, params: { trainable: 1, total: 2 }, optimizerStateBytes: 0, checkpointBytes: 0,
  };
}

function checkpoint(step: number, value: number): RunCheckpoint {
  return {
    kind: 'resume', step, lora: { r: 4, lora_alpha: 32 }, evalEvery: 10,
    trainable: [{ name: 'head.weight', shape: [1, 2], data: new Float32Array([value, value + 1]) }, { name: 'head.bias', shape: [1], data: new Float32Array([value]) }],
    optimizer: { slots: [{ name: 'head.weight#m', shape: [1, 2], data: new Float32Array([0.5, 0.25]) }], counters: { 'head.weight': step } },
  };
}

/** A database whose puts of checkpoint tensors fail with QuotaExceededError after `allowed` of them. */
function fillingUp(db: LabDb, allowed: number): LabDb {
  let puts = 0;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'put') {
        return (store: string, value: unknown) => {
          if (store === 'checkpointTensors' && ++puts > allowed) return Promise.reject(new DOMException('the quota has been exceeded', 'QuotaExceededError'));
          return target.put(store as 'checkpointTensors', value as never);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('runs store', () => {
  test('summaries: put, get, list newest first, delete removes metrics and checkpoints too', async () => {
    const db = await freshDb();
    await putRun(summary('a', '2026-01-01T00:00:00Z'), db);
    await putRun(summary('b', '2026-02-01T00:00:00Z'), db);
    expect((await listRuns(db)).map((r) => r.id)).toEqual(['b', 'a']);
    await appendMetrics('a', 0, { steps: [{ step: 1, loss: 1, lr: 0.1, ms: 5 }] }, db);
    await saveCheckpoint('a', checkpoint(5, 1), db);
    await deleteRun('a', db);
    expect(await getRun('a', db)).toBeUndefined();
    expect((await readMetrics('a', db)).steps).toEqual([]);
    expect(await loadCheckpoint('a', 'resume', db)).toBeNull();
    expect((await listRuns(db)).map((r) => r.id)).toEqual(['b']);
  });

  test('metrics are appended in chunks, read back in order, and truncated to a step for a resume', async () => {
    const db = await freshDb();
    await appendMetrics('r', 0, { steps: [1, 2, 3].map((step) => ({ step, loss: step, lr: 0.1, ms: 1 })) }, db);
    await appendMetrics('r', 1, { evaluations: [{ step: 3, split: 'val', loss: 0.5, auroc: {}, macroAuroc: 0.7, images: 4 }], events: [{ step: 2, kind: 'pause', from: null, to: null }] }, db);
    await appendMetrics('r', 2, { steps: [4, 5, 6].map((step) => ({ step, loss: step, lr: 0.1, ms: 1 })), events: [{ step: 5, kind: 'lora_rank', from: 4, to: 8 }] }, db);
    const all = await readMetrics('r', db);
    expect(all.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.nextSeq).toBe(3);
    const kept = await truncateMetrics('r', 4, db);
    expect(kept.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(kept.events.map((e) => e.kind)).toEqual(['pause']);
    expect((await readMetrics('r', db)).steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect((await readMetrics('r', db)).nextSeq).toBe(1);
  });

  test('a checkpoint round-trips: tensors, optimizer slots and counters, rank and alpha; a new one replaces the old', async () => {
    const db = await freshDb();
    await saveCheckpoint('r', checkpoint(10, 1), db);
    await saveCheckpoint('r', checkpoint(20, 7), db);
    const back = await loadCheckpoint('r', 'resume', db);
    expect(back).toMatchObject({ kind: 'resume', step: 20, lora: { r: 4, lora_alpha: 32 }, evalEvery: 10 });
    expect(back!.trainable.map((t) => [t.name, [...t.data]])).toEqual([['head.bias', [7]], ['head.weight', [7, 8]]]);
    expect(back!.optimizer).toEqual({ slots: [{ name: 'head.weight#m', shape: [1, 2], data: new Float32Array([0.5, 0.25]) }], counters: { 'head.weight': 20 } });
    // Only the current generation's tensors are kept.
    expect(await db.count('checkpointTensors')).toBe(3);
    expect(await runCheckpointBytes('r', db)).toBe((2 + 1 + 2) * 4);
  });

  test('a save that fills the disk half-way fails with the quota error and leaves the previous checkpoint intact', async () => {
    const db = await freshDb();
    await saveCheckpoint('r', checkpoint(10, 1), db);
    const error = await saveCheckpoint('r', checkpoint(20, 7), fillingUp(db, 1)).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('QuotaExceededError');
    const back = await loadCheckpoint('r', 'resume', db);
    expect(back!.step).toBe(10);
    expect(back!.trainable.find((t) => t.name === 'head.weight')!.data).toEqual(new Float32Array([1, 2]));
    // Nothing of the failed generation is left behind.
    expect(await db.count('checkpointTensors')).toBe(3);
  });
});
