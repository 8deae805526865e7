/**
 * A stored run as the Runs panel and the grid table see it: identity, config, where it stands, its best validation
 * and test scores, and what it cost. Kept in IndexedDB as it trains (src/storage/runs.ts) next to its metrics and
 * checkpoints, so a reload loses nothing. Plain data.
 */
import type { BackendName } from './backends';
import type { ParamCount } from './paramCount';
import type { ResourceSample, RunConfig, TestScore } from './records';

/**
 * running / paused: a trainer holds the run now. interrupted: it was running or paused when its page went away
 * (reload, crash, closed tab) and can resume from its last checkpoint. stopped: the user stopped it (it can resume).
 * finished: it ran all its steps and was scored on the test split. error: it failed (the message says why).
 */
export type RunStatus = 'running' | 'paused' | 'interrupted' | 'stopped' | 'finished' | 'error';

/** Where a run was trained: in this browser, or by an exported PyTorch script whose results were imported. */
export type RunSource = 'browser' | 'pytorch';

export interface RunSummary {
  id: string;
  /** dataset + method + start time, e.g. "chest_xray_demo-lora-20261128T034723Z" (files are named after it). */
  name: string;
  source: RunSource;
  datasetId: string;
  datasetName: string;
  labels: string[];
  config: RunConfig;
  backend?: BackendName;
  microBatch?: number;
  initialisationNote?: string;
  status: RunStatus;
  /** Why it stopped, failed or paused on its own (e.g. "storage is full"). */
  message?: string;
  /** Steps done (the last step whose loss is stored). */
  step: number;
  /** Step of the resume checkpoint: a resumed run continues from here (null: none saved yet). */
  resumeStep: number | null;
  createdAt: string;
  updatedAt: string;
  /** Training time in ms, summed over the sessions the run trained in (reloads excluded). */
  wallMs: number;
  bestVal?: { step: number; macroAuroc: number | null; loss: number };
  test?: TestScore;
  params: ParamCount;
  optimizerStateBytes: number;
  resources?: ResourceSample;
  /** The grid this run is a cell of. */
  gridId?: string;
  /** Bytes of the run's checkpoints in storage. */
  checkpointBytes: number;
}

/** A run's status as it should be shown: a 'running' or 'paused' run no trainer holds any more was interrupted. */
export function effectiveStatus(run: Pick<RunSummary, 'status'>, heldByATrainer: boolean): RunStatus {
  return (run.status === 'running' || run.status === 'paused') && !heldByATrainer ? 'interrupted' : run.status;
}

/** Runs that can be continued from their resume checkpoint. */
export function isResumable(run: Pick<RunSummary, 'status' | 'resumeStep' | 'source'>): boolean {
  return run.source === 'browser' && (run.status === 'interrupted' || run.status === 'stopped' || run.status === 'error') && run.resumeStep !== null;
}
