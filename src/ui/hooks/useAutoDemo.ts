/**
 * `?demo` when a classroom link hides section 1 (whose panel otherwise does this): load the bundled demo on a first
 * visit, when nothing is stored yet. The demo's class-folder layout takes no ingest choices, so none are passed.
 */
import { useEffect, useRef } from 'react';
import type { LabClient } from '../../workers/client';
import type { Datasets } from './useDatasets';

export function useAutoDemo(bridge: LabClient, datasets: Datasets, enabled: boolean): void {
  const due = useRef(enabled);
  const { listed, manifests, runIngest } = datasets;
  const running = datasets.ingest.running;
  useEffect(() => {
    if (!due.current || !listed || running) return;
    due.current = false;
    if (manifests.length === 0) void runIngest(bridge.loadDemo());
  }, [listed, running, manifests, runIngest, bridge]);
}
