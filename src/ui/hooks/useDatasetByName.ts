/**
 * `?dataset=<name>`: once the stored datasets are listed (and the demo, when the address asks for it and nothing is
 * stored, has been ingested), select the one with that name; if there is none, say so in a note.
 */
import { useEffect, useState } from 'react';
import type { Datasets } from './useDatasets';

export interface DatasetByName {
  /** Still waiting for the listing (or the demo): settings that need the dataset should wait too. */
  pending: boolean;
  note?: string;
}

export function useDatasetByName(datasets: Datasets, name: string | undefined, demoExpected: boolean): DatasetByName {
  const [pending, setPending] = useState(name !== undefined);
  const [note, setNote] = useState<string | undefined>();
  const { listed, manifests, select } = datasets;
  const running = datasets.ingest.running;
  useEffect(() => {
    if (!pending || !listed || running || name === undefined) return;
    const found = manifests.find((m) => m.name === name);
    if (found) {
      select(found.id);
      setPending(false);
      return;
    }
    // `?demo` loads the demo on a first visit: wait for it.
    if (demoExpected && manifests.length === 0) return;
    setNote(`The dataset "${name}" named in the address is not stored in this browser: add it again (section 1) or choose another.`);
    setPending(false);
  }, [pending, listed, running, manifests, name, demoExpected, select]);
  return { pending, note };
}
