/**
 * The out-of-distribution guard measured in the browser, on the lab's own decode path (scripts/ood_bench.mjs,
 * docs/ood-guard.md). Files come from the hidden <input id="bench-files"> of harness.html (Playwright's
 * setInputFiles). Each one goes through decode.worker.ts's decode (preflight, the browser / DICOM /
 * 16-bit PNG decoders, the statistics) and is scored by scoreOod with the bundled model.
 * - runOodEval: per file, the statistics, the feature vector (what scripts/ood_fit.py fits on) and the verdict.
 * - runOodDecodeSpeed: decodePixels() against decode() (with the statistics) on the same files, alternated, to price the statistics.
 */
import * as Comlink from 'comlink';
import { oodFeatureVector } from '../data/ood/features';
import { scoreOod, type OodVerdict } from '../data/ood/scoreOod';
import type { ImageStats } from '../formats/image/imageStats';
import type { DecodeWorkerApi } from '../workers/decode.worker';

const INPUT_ID = 'bench-files';

function chosenFiles(): File[] {
  const input = document.getElementById(INPUT_ID) as HTMLInputElement | null;
  if (!input?.files?.length) throw new Error(`no files chosen: set them on <input id="${INPUT_ID}"> first`);
  return Array.from(input.files);
}

interface Remote {
  api: Comlink.Remote<DecodeWorkerApi>;
  close: () => void;
}

function startWorker(): Remote {
  const worker = new Worker(new URL('../workers/decode.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<DecodeWorkerApi>(worker);
  return {
    api,
    close: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

/** Runs `work` over `items` on `count` workers, each taking the next item when it is free. */
async function onWorkers<T, R>(items: T[], count: number, work: (api: Comlink.Remote<DecodeWorkerApi>, item: T) => Promise<R>): Promise<R[]> {
  const workers = Array.from({ length: Math.max(1, count) }, startWorker);
  const results: R[] = new Array(items.length);
  let next = 0;
  try {
    await Promise.all(
      workers.map(async ({ api }) => {
        while (next < items.length) {
          const index = next++;
          results[index] = await work(api, items[index]);
        }
      }),
    );
  } finally {
    for (const w of workers) w.close();
  }
  return results;
}

export interface OodEvalRow {
  name: string;
  stats?: ImageStats;
  features?: number[];
  verdict?: OodVerdict;
  /** The decoder's refusal (preflight or decode error): such a file never reaches the guard. */
  error?: string;
}

export async function runOodEval(raw: Record<string, unknown>): Promise<OodEvalRow[]> {
  const size = (raw.size as number | undefined) ?? 224;
  const workers = (raw.workers as number | undefined) ?? 2;
  return onWorkers(chosenFiles(), workers, async (api, file): Promise<OodEvalRow> => {
    try {
      const { stats } = await api.decode(file, size);
      return { name: file.name, stats, features: oodFeatureVector(stats), verdict: scoreOod(stats) };
    } catch (error) {
      return { name: file.name, error: error instanceof Error ? error.message : String(error) };
    }
  });
}

export interface DecodeSpeedResult {
  images: number;
  rounds: number;
  /** Total milliseconds of each method over all rounds (one worker, files one at a time). */
  decodeMs: number;
  decodeWithStatsMs: number;
  /** (decodeWithStats - decode) / decode. */
  overhead: number;
}

/** One worker, one file at a time, methods alternated per file so drifting load hits both alike. */
export async function runOodDecodeSpeed(raw: Record<string, unknown>): Promise<DecodeSpeedResult> {
  const size = (raw.size as number | undefined) ?? 224;
  const rounds = (raw.rounds as number | undefined) ?? 3;
  const files = chosenFiles();
  const { api, close } = startWorker();
  try {
    for (const file of files.slice(0, 4)) await api.decode(file, size); // warm-up: module load, JIT
    let decodeMs = 0;
    let statsMs = 0;
    for (let round = 0; round < rounds; round++) {
      for (const [i, file] of files.entries()) {
        const order = (i + round) % 2 === 0 ? ['plain', 'stats'] : ['stats', 'plain'];
        for (const method of order) {
          const started = performance.now();
          if (method === 'plain') await api.decodePixels(file, size);
          else await api.decode(file, size);
          const ms = performance.now() - started;
          if (method === 'plain') decodeMs += ms;
          else statsMs += ms;
        }
      }
    }
    return { images: files.length, rounds, decodeMs, decodeWithStatsMs: statsMs, overhead: (statsMs - decodeMs) / decodeMs };
  } finally {
    close();
  }
}
