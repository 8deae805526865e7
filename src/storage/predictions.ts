/**
 * The per-image scores of a run's evaluations (src/run/predictions.ts) in the lab's IndexedDB (schema.ts version
 * 4, store `runPredictions`, one record per run and split): written when a run ends, read by the ROC view and the
 * predictions grid of a stored run. deleteRun (runs.ts) removes them with the run.
 */
import type { PredictionSplit, RunPredictions } from '../run/predictions';
import { labDb, type LabDb } from './schema';

/** Replaces the run's record of that split. */
export async function putPredictions(predictions: RunPredictions, db?: LabDb): Promise<void> {
  await (await labDb(db)).put('runPredictions', predictions);
}

export async function getPredictions(runId: string, split: PredictionSplit, db?: LabDb): Promise<RunPredictions | undefined> {
  return (await labDb(db)).get('runPredictions', [runId, split]);
}

/** The splits stored for a run (for the page's split chooser). */
export async function storedPredictionSplits(runId: string, db?: LabDb): Promise<PredictionSplit[]> {
  const keys = await (await labDb(db)).getAllKeys('runPredictions', IDBKeyRange.bound([runId], [runId, []]));
  return keys.map((k) => k[1]);
}
