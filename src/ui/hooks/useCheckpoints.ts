/**
 * Backbone checkpoints: the ones cached in IndexedDB (listed on load, so a reload does not ask for the file
 * again) and the one being read now, with its progress redrawn at most 4 times a second.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TrainerApi } from '../../lab/trainer';
import { throttle } from '../view/throttle';
import { REDRAW_INTERVAL_MS } from './useTrainerRun';
import type { CheckpointInfo, CheckpointProgress } from '../../run/modelFiles';

export interface CheckpointLoading {
  fileName: string;
  progress?: CheckpointProgress;
}

export interface Checkpoints {
  cached: CheckpointInfo[];
  listError?: string;
  loading?: CheckpointLoading;
  loadError?: string;
  /** Reads the file into the cache; resolves with its summary, or undefined when it failed (see loadError). */
  load(file: File): Promise<CheckpointInfo | undefined>;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useCheckpoints(trainer: TrainerApi): Checkpoints {
  const [cached, setCached] = useState<CheckpointInfo[]>([]);
  const [listError, setListError] = useState<string | undefined>();
  const [loading, setLoading] = useState<CheckpointLoading | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const progressRef = useRef<CheckpointProgress | undefined>(undefined);
  const redraw = useMemo(
    () => throttle(() => setLoading((l) => (l ? { ...l, progress: progressRef.current } : l)), REDRAW_INTERVAL_MS),
    [],
  );

  useEffect(() => {
    let live = true;
    trainer.listCheckpoints().then(
      (list) => live && setCached(list),
      (e: unknown) => live && setListError(`Could not read the cached checkpoints: ${errorText(e)}`),
    );
    return () => {
      live = false;
      redraw.cancel();
    };
  }, [trainer, redraw]);

  const load = useCallback(
    async (file: File) => {
      progressRef.current = undefined;
      setLoadError(undefined);
      setLoading({ fileName: file.name });
      try {
        const info = await trainer.loadCheckpoint(file, (p) => {
          progressRef.current = p;
          redraw.schedule();
        });
        // Loading the same file again replaces its entry instead of listing it twice.
        setCached((list) => [...list.filter((c) => c.id !== info.id), info]);
        return info;
      } catch (e) {
        setLoadError(`Loading ${file.name} failed: ${errorText(e)}`);
        return undefined;
      } finally {
        redraw.cancel();
        setLoading(undefined);
      }
    },
    [trainer, redraw],
  );

  return { cached, listError, loading, loadError, load };
}
