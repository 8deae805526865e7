/**
 * Heap samples for the scale benchmark (src/harness/scaleBench.ts): does memory stay flat while 10,000 images are
 * ingested and 1,000 batches are streamed? One sample holds
 * - the page's live JS heap: `performance.memory.usedJSHeapSize` (Chromium; exact only with
 *   --enable-precise-memory-info), read right after a full collection when the page has `gc` (--js-flags=--expose-gc);
 * - every JS realm of the page's agent cluster, workers and nested workers included:
 *   `performance.measureUserAgentSpecificMemory()` (WICG "Measure Memory API"; needs `crossOriginIsolated`, which the
 *   COOP/COEP headers of `vite preview` give). Chromium measures after a garbage collection; with
 *   --enable-blink-features=ForceEagerMeasureMemory it does so at once instead of at the next natural one.
 * Workers are grouped by their script file name without Vite's content hash ("decode.worker" x 2).
 * Samples are taken one after another (a chain), so overlapping requests never measure at the same time.
 */

/** The parts of the Measure Memory API result used here (not yet in lib.dom). */
interface MemoryAttribution {
  url?: string;
  scope?: string;
  container?: { id: string; src: string };
}
interface MemoryBreakdownEntry {
  bytes: number;
  attribution: MemoryAttribution[];
  types: string[];
}
interface MemoryMeasurement {
  bytes: number;
  breakdown: MemoryBreakdownEntry[];
}
type MeasuringPerformance = Performance & {
  measureUserAgentSpecificMemory?: () => Promise<MemoryMeasurement>;
  memory?: { usedJSHeapSize: number; totalJSHeapSize: number };
};

export interface WorkerGroupBytes {
  /** Realms of this script measured (a pool of decode workers counts each). */
  count: number;
  bytes: number;
}

export interface HeapSample {
  label: string;
  /** What the phase had done when the sample was taken (images stored, batches read, steps trained). */
  count: number;
  /** ms since the sampler was created. */
  atMs: number;
  /** usedJSHeapSize after gc() (null where the browser has no performance.memory). */
  pageHeapBytes: number | null;
  /** measureUserAgentSpecificMemory: the page's realm, all workers, and bytes it could not attribute. */
  measured: { total: number; page: number; workers: number; unattributed: number; byWorker: Record<string, WorkerGroupBytes> } | null;
  /** How long the measurement took (it runs garbage collections). */
  measureMs: number;
}

const perf = () => performance as MeasuringPerformance;

/**
 * Collects the page's garbage as far as it goes. One gc() right after work leaves tens of MB behind: IndexedDB
 * results still referenced by callbacks that have not run yet, and DOM-side wrappers that need a second cycle
 * (V8 and Blink's heap trace each other). A gc(), a macrotask (the callbacks run), and a second gc() clear them;
 * a third changed nothing in trials.
 */
async function settledGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
}

/**
 * "http://host/assets/decode.worker-Bx1_9c.js" -> "decode.worker". Workers started from a blob: URL have no script
 * name; in this app they are tfjs-wasm's thread pool (Emscripten pthreads, started from a blob of their script).
 */
export function workerName(url: string): string {
  if (url.startsWith('blob:')) return 'blob workers (tfjs-wasm threads)';
  const file = url.slice(url.lastIndexOf('/') + 1).replace(/\?.*$/, '');
  return file.replace(/\.(js|ts|mjs)$/, '').replace(/-[A-Za-z0-9_-]{6,}$/, '');
}

/** Sums a Measure Memory breakdown into page, workers (by script) and unattributed bytes. */
export function summariseMeasurement(m: MemoryMeasurement): NonNullable<HeapSample['measured']> {
  const byWorker: Record<string, WorkerGroupBytes> = {};
  let page = 0;
  let workers = 0;
  let unattributed = 0;
  for (const entry of m.breakdown) {
    if (entry.attribution.length === 0) {
      unattributed += entry.bytes;
      continue;
    }
    // An entry shared by several realms is split evenly between them.
    const share = entry.bytes / entry.attribution.length;
    for (const a of entry.attribution) {
      if (a.scope === 'Window') {
        page += share;
      } else {
        const name = a.url ? workerName(a.url) : a.scope ?? 'unknown';
        const group = (byWorker[name] ??= { count: 0, bytes: 0 });
        group.bytes += share;
        if (entry.bytes > 0 || group.count === 0) group.count++;
        workers += share;
      }
    }
  }
  return { total: m.bytes, page, workers, unattributed, byWorker };
}

export function measureMemoryAvailable(): { pageHeap: boolean; measureMemory: boolean; crossOriginIsolated: boolean; gc: boolean } {
  return {
    pageHeap: perf().memory !== undefined,
    measureMemory: typeof perf().measureUserAgentSpecificMemory === 'function' && globalThis.crossOriginIsolated === true,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

export class HeapSampler {
  readonly samples: HeapSample[] = [];
  private readonly started = performance.now();
  private chain: Promise<unknown> = Promise.resolve();

  /** Queues a sample; resolves once it is taken. Never rejects (a failed measurement is recorded as null). */
  sample(label: string, count: number): Promise<HeapSample> {
    const taken = this.chain.then(() => this.take(label, count));
    this.chain = taken;
    return taken;
  }

  /** Waits for every queued sample. */
  async settled(): Promise<HeapSample[]> {
    await this.chain;
    return this.samples;
  }

  private async take(label: string, count: number): Promise<HeapSample> {
    const t0 = performance.now();
    await settledGarbage();
    const pageHeapBytes = perf().memory?.usedJSHeapSize ?? null;
    let measured: HeapSample['measured'] = null;
    if (measureMemoryAvailable().measureMemory) {
      try {
        measured = summariseMeasurement(await perf().measureUserAgentSpecificMemory!());
      } catch {
        measured = null;
      }
    }
    const sample: HeapSample = { label, count, atMs: t0 - this.started, pageHeapBytes, measured, measureMs: performance.now() - t0 };
    this.samples.push(sample);
    return sample;
  }
}
