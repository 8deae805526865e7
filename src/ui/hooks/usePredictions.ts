/**
 * A run's per-image predictions for the "Under the hood" section, fetched from the training worker (the live run's
 * latest validation pass from memory, a stored run's from IndexedDB) whenever the run, the split or `version`
 * changes (the page passes the live run's evaluation count, so a new evaluation refreshes the views).
 */
import { useEffect, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import type { PredictionSplit, RunPredictions } from '../../run/predictions';

export interface PredictionsState {
  predictions: RunPredictions | null;
  loading: boolean;
  error?: string;
}

export function usePredictions(trainer: TrainerApi, runId: string | undefined, split: PredictionSplit, version: string): PredictionsState {
  const [state, setState] = useState<PredictionsState>({ predictions: null, loading: false });
  useEffect(() => {
    if (!runId) {
      setState({ predictions: null, loading: false });
      return;
    }
    let current = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    trainer.predictions(runId, split).then(
      (predictions) => current && setState({ predictions, loading: false }),
      (e: unknown) => current && setState({ predictions: null, loading: false, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [trainer, runId, split, version]);
  return state;
}
