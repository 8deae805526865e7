/** The backend the trainer chose at start-up (main.tsx starts `initBackend` before the first render). */
import { useEffect, useState } from 'react';
import type { BackendReport } from '../../run/backends';

export type BackendState =
  | { status: 'pending' }
  | { status: 'ready'; report: BackendReport }
  | { status: 'failed'; error: string };

export function useBackend(report: Promise<BackendReport>): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'pending' });
  useEffect(() => {
    let current = true;
    report.then(
      (r) => current && setState({ status: 'ready', report: r }),
      (e: unknown) => current && setState({ status: 'failed', error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [report]);
  return state;
}
