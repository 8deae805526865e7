/**
 * A small pool of decode workers. Calls are handed out round-robin with at most `maxInFlightPerWorker`
 * decodes per worker; the rest wait in a FIFO queue here, so a 100k-file ingest does not post 100k messages
 * (and 100k blob handles) to the workers at once.
 */
import * as Comlink from 'comlink';
import type { DecodeWorkerApi } from './decode.worker';
import type { DecodedWithStats } from '../lab/decodeFile';

export interface DecodeEndpoint {
  decode(blob: Blob, size: number): Promise<DecodedWithStats>;
  terminate(): void;
}

/** One worker per spare core, leaving one for the page; more than 4 buys little (IndexedDB writes dominate). */
export function defaultPoolSize(hardwareConcurrency = globalThis.navigator?.hardwareConcurrency ?? 2): number {
  return Math.min(4, Math.max(1, hardwareConcurrency - 1));
}

/** A decode that takes longer than this is treated as a hung or crashed worker (a 12 MP image decodes in < 2 s). */
export const DECODE_TIMEOUT_MS = 60_000;

/**
 * One decode worker that survives its own crash: an `error` event (uncaught error, failed module load) or a
 * decode that never answers (a worker killed for memory sends nothing) rejects the decodes in flight with a clear
 * reason and starts a fresh worker, so one bad file cannot stall an ingest forever.
 */
function createDecodeWorker(): DecodeEndpoint {
  let worker: Worker;
  let remote: Comlink.Remote<DecodeWorkerApi>;
  const inFlight = new Set<(error: Error) => void>();
  const start = () => {
    // Written inline so Vite recognises the pattern and bundles the worker (vite.dev/guide/features#web-workers).
    worker = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' });
    remote = Comlink.wrap<DecodeWorkerApi>(worker);
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      restart(new Error(`the decode worker crashed (${event.message || 'no message'}); the file was skipped`));
    });
  };
  const stop = () => {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  };
  const restart = (reason: Error) => {
    for (const fail of [...inFlight]) fail(reason);
    inFlight.clear();
    stop();
    start();
  };
  start();
  return {
    decode: (blob, size) =>
      new Promise<DecodedWithStats>((resolve, reject) => {
        const timer = setTimeout(() => restart(new Error(`decoding took over ${DECODE_TIMEOUT_MS / 1000} s; the worker was restarted and the file skipped`)), DECODE_TIMEOUT_MS);
        const fail = (error: Error) => {
          clearTimeout(timer);
          reject(error);
        };
        inFlight.add(fail);
        remote.decode(blob, size).then(
          (pixels) => {
            clearTimeout(timer);
            inFlight.delete(fail);
            resolve(pixels);
          },
          (error: unknown) => {
            inFlight.delete(fail);
            fail(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }),
    terminate: stop,
  };
}

interface Task {
  blob: Blob;
  size: number;
  resolve: (decoded: DecodedWithStats) => void;
  reject: (error: unknown) => void;
}

export interface DecodePoolOptions {
  size?: number;
  maxInFlightPerWorker?: number;
  /** Tests pass fakes; the browser default starts decode.worker.ts. */
  createEndpoint?: () => DecodeEndpoint;
}

export class DecodePool {
  private readonly endpoints: DecodeEndpoint[];
  private readonly inFlight: number[];
  private readonly maxInFlight: number;
  private readonly queue: Task[] = [];
  private nextEndpoint = 0;
  private terminated = false;

  constructor(options: DecodePoolOptions = {}) {
    const count = options.size ?? defaultPoolSize();
    if (!Number.isInteger(count) || count < 1) throw new Error(`DecodePool size must be a positive integer, got ${count}`);
    this.maxInFlight = Math.max(1, options.maxInFlightPerWorker ?? 2);
    const create = options.createEndpoint ?? createDecodeWorker;
    this.endpoints = Array.from({ length: count }, create);
    this.inFlight = this.endpoints.map(() => 0);
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** Bound to the instance so it can be passed as `ingestDataset({decode: pool.decode})`. */
  readonly decode = (blob: Blob, size: number): Promise<DecodedWithStats> => {
    if (this.terminated) return Promise.reject(new Error('decode pool was terminated'));
    return new Promise<DecodedWithStats>((resolve, reject) => {
      this.queue.push({ blob, size, resolve, reject });
      this.dispatch();
    });
  };

  /** Stops the workers; queued decodes are rejected, running ones never settle. */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('decode pool was terminated'));
    for (const endpoint of this.endpoints) endpoint.terminate();
  }

  private freeEndpoint(): number {
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      const index = (this.nextEndpoint + tried) % this.endpoints.length;
      if (this.inFlight[index] < this.maxInFlight) {
        this.nextEndpoint = (index + 1) % this.endpoints.length;
        return index;
      }
    }
    return -1;
  }

  private dispatch(): void {
    while (!this.terminated && this.queue.length > 0) {
      const index = this.freeEndpoint();
      if (index < 0) return;
      const task = this.queue.shift()!;
      this.inFlight[index]++;
      this.endpoints[index]
        .decode(task.blob, task.size)
        .then(task.resolve, task.reject)
        .finally(() => {
          this.inFlight[index]--;
          this.dispatch();
        });
    }
  }
}
