/**
 * Rate limits for the main thread: trainer and ingest messages may arrive many times a second, and each React
 * render of the charts costs milliseconds, so the page redraws at most every `intervalMs` (leading + trailing edge:
 * the first change shows at once, the last change is never lost). Tested in tests/ui/throttle.test.ts.
 */
export interface Throttled {
  /** Ask for a run: now when the interval has passed since the last one, else once at the end of the interval. */
  schedule(): void;
  /** Run now (if something is pending or `force`), cancelling any scheduled run. */
  flush(force?: boolean): void;
  cancel(): void;
}

export function throttle(run: () => void, intervalMs: number): Throttled {
  let lastRun = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = false;

  const fire = () => {
    timer = undefined;
    pending = false;
    lastRun = Date.now();
    run();
  };

  return {
    schedule() {
      pending = true;
      if (timer !== undefined) return;
      const wait = lastRun + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    flush(force = false) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (pending || force) fire();
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = false;
    },
  };
}

/**
 * Trailing-edge debounce: runs `intervalMs` after the last call (slider drags send one change, not fifty).
 * `flush` runs a pending call at once (pointer released, keyboard step).
 */
export interface Debounced<A extends unknown[]> {
  call(...args: A): void;
  flush(): void;
  cancel(): void;
}

export function debounce<A extends unknown[]>(run: (...args: A) => void, intervalMs: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pendingArgs: A | undefined;
  const fire = () => {
    timer = undefined;
    const args = pendingArgs;
    pendingArgs = undefined;
    if (args) run(...args);
  };
  return {
    call(...args: A) {
      pendingArgs = args;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(fire, intervalMs);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pendingArgs = undefined;
    },
  };
}
