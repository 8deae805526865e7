/**
 * The lab's one IndexedDB database: every object store, its key and indexes, and the versioned migrations that
 * create them, in one place. Every other file in src/storage/ opens the database through `openLabDb` /
 * `sharedLabDb`, so a new store (the runs of issue 11) is one new version here.
 *
 * Versions:
 *  1. `datasets` (manifests) and `images` (decoded 8-bit images, indexed by dataset + split).
 *  2. `pendingIngests` (folder handles of unfinished ingests) and `backbones` + `backboneTensors` (checkpoints
 *     loaded by the user). They lived in two databases of their own before; legacy.ts moves their records here.
 *  3. The runs (issue 11): `runs` (one summary each), `runMetrics` (steps / evaluations / events appended in chunks
 *     as the run trains), `checkpoints` + `checkpointTensors` (resume and best checkpoints, by generation, so a
 *     save that fails half-way leaves the previous one intact) and `grids`.
 *  4. `runPredictions`: a run's per-image scores of its last validation pass and of its test scoring (the ROC view
 *     and predictions grid of "Under the hood"), one record per run and split.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { DatasetManifest, PendingIngest, Split, StoredImage } from '../run/datasets';
import type { CheckpointKind, RunCheckpoint } from '../run/checkpoints';
import type { GridRecord } from '../run/grid';
import type { EvaluationRecord, RunEvent, StepRecord } from '../run/records';
import type { RunSummary } from '../run/runs';
import type { PredictionSplit, RunPredictions } from '../run/predictions';
import { migrateLegacyDatabases } from './legacy';

export const LAB_DB_NAME = 'cxr-peft-lab';
export const LAB_DB_VERSION = 4;

/** A checkpoint kept so that a reload does not ask for the file again. */
export interface CachedBackboneInfo {
  id: string;
  fileName: string;
  fileSize: number;
  sourceFormat: 'safetensors' | 'pth' | 'cached';
  savedAt: number;
  /** false while tensors are still being written (an interrupted load leaves it false and it is never used) */
  complete: boolean;
  tensors: { name: string; shape: number[] }[];
  metadata: Record<string, string>;
  /** what the original file contained that was left out, for the summary of a cached load */
  ignored: { name: string; reason: string }[];
}

/** One tensor of a cached backbone: one record each, so writing and reading stream like a file load does. */
export interface StoredTensor {
  backboneId: string;
  name: string;
  data: Float32Array;
}

/** A chunk of a run's metrics, appended as the run trains (seq orders the chunks). */
export interface MetricsChunk {
  runId: string;
  seq: number;
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  events: RunEvent[];
}

/** A checkpoint's header; its tensors are records of `checkpointTensors` with the same generation. */
export interface CheckpointHeader extends Omit<RunCheckpoint, 'trainable' | 'optimizer'> {
  runId: string;
  generation: number;
  /** Names of the optimizer's state slots and its step counters (the slots' data are tensor records). */
  optimizerCounters?: Record<string, number>;
  bytes: number;
}

export interface CheckpointTensor {
  runId: string;
  kind: CheckpointKind;
  generation: number;
  group: 'trainable' | 'optimizer';
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface LabSchema extends DBSchema {
  datasets: { key: string; value: DatasetManifest };
  images: {
    key: [string, string];
    value: StoredImage;
    indexes: { bySplit: [string, Split] };
  };
  pendingIngests: { key: string; value: PendingIngest };
  backbones: { key: string; value: CachedBackboneInfo };
  backboneTensors: { key: [string, string]; value: StoredTensor };
  runs: { key: string; value: RunSummary };
  runMetrics: { key: [string, number]; value: MetricsChunk };
  checkpoints: { key: [string, CheckpointKind]; value: CheckpointHeader };
  checkpointTensors: { key: [string, CheckpointKind, number, string, string]; value: CheckpointTensor };
  grids: { key: string; value: GridRecord };
  runPredictions: { key: [string, PredictionSplit]; value: RunPredictions };
}

export type LabDb = IDBPDatabase<LabSchema>;
type UpgradeTx = IDBPTransaction<LabSchema, StoreNames<LabSchema>[], 'versionchange'>;

/** Migration k brings a database from version k - 1 to version k. Never edit one that has shipped: add a new one. */
const MIGRATIONS: ((db: LabDb, tx: UpgradeTx) => void)[] = [
  () => undefined,
  (db) => {
    db.createObjectStore('datasets', { keyPath: 'id' });
    const images = db.createObjectStore('images', { keyPath: ['datasetId', 'key'] });
    images.createIndex('bySplit', ['datasetId', 'split']);
  },
  (db) => {
    db.createObjectStore('pendingIngests', { keyPath: 'id' });
    db.createObjectStore('backbones', { keyPath: 'id' });
    db.createObjectStore('backboneTensors', { keyPath: ['backboneId', 'name'] });
  },
  (db) => {
    db.createObjectStore('runs', { keyPath: 'id' });
    db.createObjectStore('runMetrics', { keyPath: ['runId', 'seq'] });
    db.createObjectStore('checkpoints', { keyPath: ['runId', 'kind'] });
    db.createObjectStore('checkpointTensors', { keyPath: ['runId', 'kind', 'generation', 'group', 'name'] });
    db.createObjectStore('grids', { keyPath: 'id' });
  },
  (db) => {
    db.createObjectStore('runPredictions', { keyPath: ['runId', 'split'] });
  },
];

export async function openLabDb(name: string = LAB_DB_NAME): Promise<LabDb> {
  const db = await openDB<LabSchema>(name, LAB_DB_VERSION, {
    upgrade(database, oldVersion, newVersion, tx) {
      for (let v = oldVersion + 1; v <= (newVersion ?? LAB_DB_VERSION); v++) MIGRATIONS[v](database, tx);
    },
    // Another tab wants a newer schema: let it, instead of blocking it forever.
    blocking() {
      db.close();
      if (sharedName === name) shared = null;
    },
  });
  return db;
}

let shared: Promise<LabDb> | null = null;
let sharedName = LAB_DB_NAME;

/** The connection used when a function gets no `db`: opened once per realm (page or worker) and reused. */
export function sharedLabDb(): Promise<LabDb> {
  if (!shared) {
    sharedName = LAB_DB_NAME;
    // Records of the databases used before version 2 are moved in before anyone reads (once; see legacy.ts).
    shared = openLabDb(LAB_DB_NAME).then(async (db) => {
      await migrateLegacyDatabases(db).catch(() => undefined);
      return db;
    });
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}

/** `db` when given (tests pass isolated databases), else the realm's shared connection. */
export async function labDb(db?: LabDb): Promise<LabDb> {
  return db ?? (await sharedLabDb());
}

export function indexedDbAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}
