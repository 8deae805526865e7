/**
 * Stored datasets (IndexedDB, listed on load so a reload needs no second ingest) and the ingest in progress.
 * Progress events are redrawn at most 4 times a second; the final one always shows.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DatasetManifest, FileEntry, IngestProgress, IngestResult } from '../../data/types';
import type { IngestChoices, UiBridge } from '../bridge';
import { pickDefaultDataset } from '../datasetSummary';
import { throttle } from '../throttle';
import { REDRAW_INTERVAL_MS } from './useTrainerRun';

/** Files to ingest and the name the dataset gets. */
export interface NamedFiles {
  name: string;
  files: FileEntry[];
}

export interface IngestState {
  running: boolean;
  progress?: IngestProgress;
  /** The last finished (or cancelled) ingest, for the skipped-files report. */
  result?: IngestResult;
  error?: string;
}

export interface Datasets {
  manifests: DatasetManifest[];
  selected?: DatasetManifest;
  /** False until the first listing came back. */
  listed: boolean;
  listError?: string;
  select(id: string): void;
  remove(id: string): Promise<void>;
  ingest: IngestState;
  /** `source` is started by the caller (a drop must read its DataTransfer synchronously). */
  runIngest(source: Promise<NamedFiles>, choices?: IngestChoices): Promise<void>;
  cancelIngest(): void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useDatasets(bridge: UiBridge): Datasets {
  const [manifests, setManifests] = useState<DatasetManifest[]>([]);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [listed, setListed] = useState(false);
  const [listError, setListError] = useState<string | undefined>();
  const [ingest, setIngest] = useState<IngestState>({ running: false });
  const abortRef = useRef<AbortController | null>(null);
  const progressRef = useRef<IngestProgress | undefined>(undefined);
  const redrawProgress = useMemo(
    () => throttle(() => setIngest((s) => ({ ...s, progress: progressRef.current })), REDRAW_INTERVAL_MS),
    [],
  );

  const refresh = useCallback(
    async (prefer?: string) => {
      try {
        const list = await bridge.listDatasets();
        setManifests(list);
        setListError(undefined);
        setSelectedId((current) => {
          const wanted = prefer ?? current;
          if (wanted !== undefined && list.some((m) => m.id === wanted)) return wanted;
          return pickDefaultDataset(list)?.id;
        });
      } catch (e) {
        setListError(`Could not read the stored datasets: ${errorText(e)}`);
      } finally {
        setListed(true);
      }
    },
    [bridge],
  );

  useEffect(() => {
    void refresh();
    return () => {
      redrawProgress.cancel();
      abortRef.current?.abort();
    };
  }, [refresh, redrawProgress]);

  const runIngest = useCallback(
    async (source: Promise<NamedFiles>, choices?: IngestChoices) => {
      const abort = new AbortController();
      abortRef.current = abort;
      progressRef.current = { phase: 'scanning', done: 0, total: 0, skipped: 0, rate: 0, eta: Number.NaN };
      setIngest({ running: true, progress: progressRef.current });
      try {
        const { name, files } = await source;
        if (files.length === 0) throw new Error('The folder holds no files.');
        const result = await bridge.ingest(
          files,
          name,
          (p) => {
            progressRef.current = p;
            redrawProgress.schedule();
          },
          abort.signal,
          choices,
        );
        redrawProgress.cancel();
        // An ingest stopped by a storage problem returns what it kept, with the reason in `error`.
        setIngest({ running: false, progress: progressRef.current, result, error: result.error });
        await refresh(result.datasetId);
      } catch (e) {
        redrawProgress.cancel();
        const cancelled = abort.signal.aborted;
        setIngest({ running: false, progress: progressRef.current, error: cancelled ? 'Ingest cancelled.' : `Ingest failed: ${errorText(e)}` });
        // An interrupted ingest may have stored a partial (resumable) dataset.
        await refresh();
      } finally {
        if (abortRef.current === abort) abortRef.current = null;
      }
    },
    [bridge, redrawProgress, refresh],
  );

  const remove = useCallback(
    async (id: string) => {
      try {
        await bridge.deleteDataset(id);
        setIngest((s) => (s.result?.datasetId === id ? { running: s.running, progress: s.progress } : s));
      } catch (e) {
        setListError(`Could not delete the dataset: ${errorText(e)}`);
      }
      await refresh();
    },
    [bridge, refresh],
  );

  return {
    manifests,
    selected: manifests.find((m) => m.id === selectedId),
    listed,
    listError,
    select: setSelectedId,
    remove,
    ingest,
    runIngest,
    cancelIngest: () => abortRef.current?.abort(),
  };
}
