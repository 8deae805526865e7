/**
 * Stored datasets (IndexedDB, listed on load so a reload needs no second ingest) and the ingest in progress.
 * Progress events are redrawn at most 4 times a second; the final one always shows.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LabClient } from '../../workers/client';
import { pickDefaultDataset } from '../view/datasetSummary';
import { throttle } from '../view/throttle';
import { REDRAW_INTERVAL_MS } from './useTrainerRun';
import type { DatasetManifest, FileEntry, IngestChoices, IngestProgress, IngestResult, PendingIngest } from '../../run/datasets';

/** Files to ingest and the name the dataset gets; `handle` where the folder came with one (it can resume). */
export interface NamedFiles {
  name: string;
  files: FileEntry[];
  handle?: FileSystemDirectoryHandle;
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
  /** Unfinished ingests of folders with a handle (drop in Chromium, folder picker), newest first. */
  pending: PendingIngest[];
  /** Call it from the click handler: the folder's read permission is asked for first, in the user's gesture. */
  resumeIngest(pending: PendingIngest): Promise<void>;
  discardPending(id: string): Promise<void>;
}

type StartIngest = (onProgress: (p: IngestProgress) => void, signal: AbortSignal) => Promise<IngestResult>;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function useDatasets(bridge: LabClient): Datasets {
  const [manifests, setManifests] = useState<DatasetManifest[]>([]);
  const [selectedId, setSelectedId] = useState<string | undefined>();
  const [listed, setListed] = useState(false);
  const [listError, setListError] = useState<string | undefined>();
  const [ingest, setIngest] = useState<IngestState>({ running: false });
  const [pending, setPending] = useState<PendingIngest[]>([]);
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

  // A failed listing only hides the resume buttons; the datasets themselves are listed by `refresh`.
  const refreshPending = useCallback(async () => {
    setPending(await bridge.pendingIngests().catch(() => []));
  }, [bridge]);

  useEffect(() => {
    void refresh();
    void refreshPending();
    return () => {
      redrawProgress.cancel();
      abortRef.current?.abort();
    };
  }, [refresh, refreshPending, redrawProgress]);

  /** One ingest at a time: progress, result, cancellation, and the stored lists refreshed afterwards. */
  const execute = useCallback(
    async (start: StartIngest) => {
      const abort = new AbortController();
      abortRef.current = abort;
      progressRef.current = { phase: 'scanning', done: 0, total: 0, skipped: 0, rate: 0, eta: Number.NaN };
      setIngest({ running: true, progress: progressRef.current });
      try {
        const result = await start((p) => {
          progressRef.current = p;
          redrawProgress.schedule();
        }, abort.signal);
        redrawProgress.cancel();
        // The resume records first, so that a finished resume's button is gone when the progress goes.
        await refreshPending();
        // An ingest stopped by a storage problem returns what it kept, with the reason in `error`.
        setIngest({ running: false, progress: progressRef.current, result, error: result.error });
        await refresh(result.datasetId);
      } catch (e) {
        redrawProgress.cancel();
        await refreshPending();
        const cancelled = abort.signal.aborted;
        setIngest({ running: false, progress: progressRef.current, error: cancelled ? 'Ingest cancelled.' : `Ingest failed: ${errorText(e)}` });
        // An interrupted ingest may have stored a partial (resumable) dataset.
        await refresh();
      } finally {
        if (abortRef.current === abort) abortRef.current = null;
      }
    },
    [redrawProgress, refresh, refreshPending],
  );

  const runIngest = useCallback(
    (source: Promise<NamedFiles>, choices?: IngestChoices) =>
      execute(async (onProgress, signal) => {
        const { name, files, handle } = await source;
        if (files.length === 0) throw new Error('The folder holds no files.');
        return bridge.ingest(files, name, onProgress, signal, choices, handle);
      }),
    [bridge, execute],
  );

  const resumeIngest = useCallback(
    (record: PendingIngest) => {
      // Asked before anything else, synchronously in the click: requestPermission needs the user's gesture.
      const permission = bridge.requestFolderPermission(record.handle);
      return execute(async (onProgress, signal) => {
        await permission;
        return bridge.resumeIngest(record, onProgress, signal);
      });
    },
    [bridge, execute],
  );

  const discardPending = useCallback(
    async (id: string) => {
      await bridge.discardPendingIngest(id).catch(() => undefined);
      await refreshPending();
    },
    [bridge, refreshPending],
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
    pending,
    resumeIngest,
    discardPending,
  };
}
