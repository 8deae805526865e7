/**
 * Keeps the address bar equal to the page's state (urlState.ts): rewritten with history.replaceState, never a
 * reload and no new history entry, 300 ms after the last change (a slider drag writes once).
 */
import { useEffect, useMemo } from 'react';
import { debounce } from '../view/throttle';
import { searchString, serialise, type UrlState } from '../view/urlState';

const WRITE_DEBOUNCE_MS = 300;

export function useUrlSync(state: UrlState): void {
  const search = searchString(serialise(state));
  const write = useMemo(
    () =>
      debounce((next: string) => {
        if (window.location.search === next) return;
        window.history.replaceState(window.history.state, '', `${window.location.pathname}${next}${window.location.hash}`);
      }, WRITE_DEBOUNCE_MS),
    [],
  );
  useEffect(() => write.call(search), [search, write]);
  useEffect(() => () => write.flush(), [write]);
}
