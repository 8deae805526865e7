/**
 * Training-step benchmark for `npm run bench` (scripts/bench.mjs drives it in headless Chromium): activates
 * the backend as the lab does, then measures with trainingSteps.ts.
 */
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { chooseBackend, setWasmThreads } from '../lab/backend';
import { measurePairedRatio, measureTrainingSteps, type BenchOptions, type BenchRow, type PairedRatio } from './trainingSteps';
import type { BackendName } from '../run/backends';
import type { Method } from '../run/loraConfig';

export type { BenchOptions, BenchRow, PairedRatio } from './trainingSteps';

export interface BenchEnvironment {
  backend: BackendName;
  backendReason: string;
  adapter?: string;
  wasmThreads?: number;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
}

/** Activates `backend` (with the lab's gradient self-check) and says what it is; throws when it cannot start. */
export async function prepareBackend(backend: BackendName, wasmThreads?: number): Promise<BenchEnvironment> {
  const hardwareConcurrency = navigator.hardwareConcurrency; // before setWasmThreads shadows it
  // Only takes effect before the WASM backend first starts in this page (bench.mjs opens a fresh page per backend).
  if (backend === 'wasm' && wasmThreads) setWasmThreads(wasmThreads);
  const report = await chooseBackend(backend);
  if (report.name !== backend) throw new Error(`backend ${backend} unavailable: ${report.rejected.map((r) => `${r.name}: ${r.why}`).join('; ')}`);
  return {
    backend: report.name,
    backendReason: report.reason,
    adapter: report.adapter,
    wasmThreads: backend === 'wasm' ? getThreadsCount() : undefined,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    hardwareConcurrency,
    userAgent: navigator.userAgent,
  };
}

export async function runTrainingBench(raw: Record<string, unknown>): Promise<BenchRow[]> {
  const o = raw as unknown as BenchOptions;
  await prepareBackend(o.backend, o.wasmThreads);
  return measureTrainingSteps(o);
}

/** Two methods' steps interleaved on one backend (scripts/bench.mjs: LoRA / FFT robust to a drifting machine). */
export async function runPairedBench(raw: Record<string, unknown>): Promise<PairedRatio> {
  const o = raw as unknown as BenchOptions & { methods: [Method, Method] };
  await prepareBackend(o.backend, o.wasmThreads);
  return measurePairedRatio(o);
}
