/**
 * The stored runs and grids (IndexedDB, through the trainer worker), listed on load and again whenever the page
 * asks (a run started, ended, or a grid moved on), plus how much storage the origin uses.
 */
import { useCallback, useEffect, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import type { GridRecord } from '../../run/grid';
import type { RunSummary } from '../../run/runs';

export interface StorageUse {
  usage: number | null;
  quota: number | null;
  checkpointBytes: number;
}

export interface Runs {
  runs: RunSummary[];
  grids: GridRecord[];
  storage?: StorageUse;
  error?: string;
  refresh(): void;
  remove(runId: string): Promise<void>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useRuns(trainer: TrainerApi): Runs {
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [grids, setGrids] = useState<GridRecord[]>([]);
  const [storage, setStorage] = useState<StorageUse | undefined>();
  const [error, setError] = useState<string | undefined>();

  const refresh = useCallback(() => {
    Promise.all([trainer.listRuns(), trainer.listGrids(), trainer.storageUse()]).then(
      ([r, g, s]) => {
        setRuns(r);
        setGrids(g);
        setStorage(s);
        setError(undefined);
      },
      (e: unknown) => setError(`Could not list the stored runs: ${errorText(e)}`),
    );
  }, [trainer]);

  useEffect(refresh, [refresh]);

  const remove = useCallback(
    async (runId: string) => {
      try {
        await trainer.deleteRun(runId);
      } catch (e) {
        setError(`Could not delete the run: ${errorText(e)}`);
      }
      refresh();
    },
    [trainer, refresh],
  );

  return { runs, grids, storage, error, refresh, remove };
}
