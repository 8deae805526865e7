/**
 * Runs in the lab's IndexedDB (schema.ts, version 3): summaries, metrics appended in chunks as a run trains, and its
 * checkpoints. A checkpoint is written as a new generation of tensor records first; only when every tensor is
 * stored does one small transaction point the run's header at it, and the old generation is deleted after. A save
 * that fails half-way (a full disk) therefore leaves the previous checkpoint readable and intact.
 */
import type { CheckpointKind, NamedArray, RunCheckpoint } from '../run/checkpoints';
import { checkpointBytes } from '../run/checkpoints';
import type { GridRecord } from '../run/grid';
import type { EvaluationRecord, RunEvent, StepRecord } from '../run/records';
import type { RunSummary } from '../run/runs';
import { labDb, type CheckpointHeader, type CheckpointTensor, type LabDb } from './schema';
import { chargeWrite } from './simulatedQuota';

/** Everything of a run that is stored under its id, in key order ranges. */
const runRange = (runId: string) => IDBKeyRange.bound([runId], [runId, []]);

export async function putRun(run: RunSummary, db?: LabDb): Promise<void> {
  await (await labDb(db)).put('runs', run);
}

export async function getRun(id: string, db?: LabDb): Promise<RunSummary | undefined> {
  return (await labDb(db)).get('runs', id);
}

/** Newest first. */
export async function listRuns(db?: LabDb): Promise<RunSummary[]> {
  const all = await (await labDb(db)).getAll('runs');
  return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function deleteRun(id: string, db?: LabDb): Promise<void> {
  const tx = (await labDb(db)).transaction(['runs', 'runMetrics', 'checkpoints', 'checkpointTensors', 'runPredictions'], 'readwrite');
  await Promise.all([
    tx.objectStore('runPredictions').delete(runRange(id)),
    tx.objectStore('runs').delete(id),
    tx.objectStore('runMetrics').delete(runRange(id)),
    tx.objectStore('checkpoints').delete(runRange(id)),
    tx.objectStore('checkpointTensors').delete(runRange(id)),
    tx.done,
  ]);
}

export interface RunMetrics {
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  events: RunEvent[];
}

/** Appends one chunk of records (a loss read-back, an evaluation, an event); `seq` orders the chunks. */
export async function appendMetrics(runId: string, seq: number, chunk: Partial<RunMetrics>, db?: LabDb): Promise<void> {
  chargeWrite(JSON.stringify(chunk).length);
  await (await labDb(db)).put('runMetrics', { runId, seq, steps: chunk.steps ?? [], evaluations: chunk.evaluations ?? [], events: chunk.events ?? [] });
}

/** The run's records in order, and the next free chunk number. */
export async function readMetrics(runId: string, db?: LabDb): Promise<RunMetrics & { nextSeq: number }> {
  const chunks = await (await labDb(db)).getAll('runMetrics', runRange(runId));
  const out: RunMetrics & { nextSeq: number } = { steps: [], evaluations: [], events: [], nextSeq: 0 };
  for (const c of chunks) {
    out.steps.push(...c.steps);
    out.evaluations.push(...c.evaluations);
    out.events.push(...c.events);
    out.nextSeq = c.seq + 1;
  }
  return out;
}

/**
 * Keeps only the records up to `step` (a run resumed from its checkpoint at `step` redoes what came after), as one
 * chunk, in one transaction. Returns what was kept and the next free chunk number.
 */
export async function truncateMetrics(runId: string, step: number, db?: LabDb): Promise<RunMetrics & { nextSeq: number }> {
  const open = await labDb(db);
  const all = await readMetrics(runId, open);
  const kept: RunMetrics = {
    steps: all.steps.filter((s) => s.step <= step),
    evaluations: all.evaluations.filter((e) => e.step <= step),
    events: all.events.filter((e) => e.step <= step),
  };
  const tx = open.transaction('runMetrics', 'readwrite');
  await tx.store.delete(runRange(runId));
  await tx.store.put({ runId, seq: 0, ...kept });
  await tx.done;
  return { ...kept, nextSeq: 1 };
}

/** The storage error a browser raises when the origin's quota is used up. */
export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}

function tensorRecords(runId: string, kind: CheckpointKind, generation: number, group: CheckpointTensor['group'], arrays: NamedArray[]): CheckpointTensor[] {
  return arrays.map((a) => ({ runId, kind, generation, group, name: a.name, shape: a.shape, data: a.data }));
}

function generationRange(runId: string, kind: CheckpointKind, generation: number): IDBKeyRange {
  return IDBKeyRange.bound([runId, kind, generation], [runId, kind, generation, []]);
}

/**
 * Saves a checkpoint as a new generation and switches the run to it; returns its size in bytes. On failure (e.g.
 * QuotaExceededError) the half-written generation is removed (as far as the disk lets it) and the previous
 * checkpoint of that kind stays the current one.
 */
export async function saveCheckpoint(runId: string, checkpoint: RunCheckpoint, db?: LabDb): Promise<number> {
  const open = await labDb(db);
  const previous = await open.get('checkpoints', [runId, checkpoint.kind]);
  const generation = (previous?.generation ?? 0) + 1;
  const records = [
    ...tensorRecords(runId, checkpoint.kind, generation, 'trainable', checkpoint.trainable),
    ...tensorRecords(runId, checkpoint.kind, generation, 'optimizer', checkpoint.optimizer?.slots ?? []),
  ];
  const bytes = checkpointBytes(checkpoint);
  try {
    // One transaction per tensor: a whole-model checkpoint of a large ViT must not be held by one transaction.
    for (const record of records) {
      chargeWrite(record.data.byteLength);
      await open.put('checkpointTensors', record);
    }
    const { kind, step, lora, evalEvery, val, optimizer } = checkpoint;
    const header: CheckpointHeader = { kind, step, lora, evalEvery, val, runId, generation, optimizerCounters: optimizer?.counters, bytes };
    await open.put('checkpoints', header);
  } catch (error) {
    await open.delete('checkpointTensors', generationRange(runId, checkpoint.kind, generation)).catch(() => undefined);
    throw error;
  }
  if (previous) await open.delete('checkpointTensors', generationRange(runId, checkpoint.kind, previous.generation)).catch(() => undefined);
  return bytes;
}

export async function loadCheckpoint(runId: string, kind: CheckpointKind, db?: LabDb): Promise<RunCheckpoint | null> {
  const open = await labDb(db);
  const header = await open.get('checkpoints', [runId, kind]);
  if (!header) return null;
  const tensors = await open.getAll('checkpointTensors', generationRange(runId, kind, header.generation));
  const pick = (group: CheckpointTensor['group']) => tensors.filter((t) => t.group === group).map(({ name, shape, data }) => ({ name, shape, data }));
  const { step, lora, evalEvery, val, optimizerCounters } = header;
  return {
    kind,
    step,
    lora,
    evalEvery,
    val,
    trainable: pick('trainable'),
    optimizer: optimizerCounters !== undefined ? { slots: pick('optimizer'), counters: optimizerCounters } : undefined,
  };
}

/** Bytes of the run's current checkpoints. */
export async function runCheckpointBytes(runId: string, db?: LabDb): Promise<number> {
  const headers = await (await labDb(db)).getAll('checkpoints', runRange(runId));
  return headers.reduce((n, h) => n + h.bytes, 0);
}

export async function putGrid(grid: GridRecord, db?: LabDb): Promise<void> {
  await (await labDb(db)).put('grids', grid);
}

export async function getGrid(id: string, db?: LabDb): Promise<GridRecord | undefined> {
  return (await labDb(db)).get('grids', id);
}

/** Newest first. */
export async function listGrids(db?: LabDb): Promise<GridRecord[]> {
  const all = await (await labDb(db)).getAll('grids');
  return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function deleteGrid(id: string, db?: LabDb): Promise<void> {
  await (await labDb(db)).delete('grids', id);
}
