/**
 * Picks the tfjs backend the lab trains on, and says why. Order when nothing is forced:
 * WebGPU on a hardware adapter; WASM (SIMD, threads when the page is cross-origin isolated) when the only
 * WebGPU adapter is a software fallback (SwiftShader measured ~50x slower than WASM here) or there is none;
 * then WebGL; then the plain-JS CPU backend. `tf.setBackend` resolves false (and tfjs quietly keeps another
 * backend) when a backend cannot start, so every switch is checked with tf.getBackend().
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { installWasmKernels } from '../backends/wasmKernels';
import { gradientSelfCheck } from '../train/selfCheck';
import { BACKEND_NAMES, type BackendName, type BackendReport } from '../run/backends';
// Serve the .wasm binaries from our own origin (Vite emits them as assets): no request leaves the page's origin.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
});
// Training-shaped matmuls (transposed, batched) otherwise take tfjs-wasm's naive loop: see wasmKernels.ts.
installWasmKernels();

/**
 * XNNPACK threads for the WASM backend; call before that backend first starts. tfjs-backend-wasm caps its pool
 * at navigator.hardwareConcurrency / 2 (its backend.cc assumes two hyper-threads per core), which leaves one
 * thread on a 2-vCPU machine whatever setThreadsCount asks. This worker's navigator reports twice `threads`
 * to that computation only: the property is shadowed on this realm's own navigator object until the WASM backend
 * has started (chooseBackend then removes it).
 */
export function setWasmThreads(threads: number): void {
  wasmThreadsSet = true;
  Object.defineProperty(globalThis.navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  setThreadsCount(threads);
}

/** Drops the shadowing property once the WASM module has read it (anything else here sees the real count). */
function restoreHardwareConcurrency(): void {
  if (Object.prototype.hasOwnProperty.call(globalThis.navigator, 'hardwareConcurrency')) {
    delete (globalThis.navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
let wasmThreadsSet = false;

/** The lab's default: one XNNPACK thread per logical core (tfjs's own cap is 8), as PyTorch uses every core. */
function defaultWasmThreads(): void {
  if (!wasmThreadsSet && globalThis.crossOriginIsolated) setWasmThreads(Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1)));
}

export interface WebGpuProbe {
  available: boolean;
  fallback: boolean;
  description: string;
  why?: string;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}

export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }) | undefined)?.gpu;
  if (!gpu) return { available: false, fallback: false, description: '', why: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  type AdapterLike = { isFallbackAdapter?: boolean; info?: AdapterInfoLike };
  let adapter: AdapterLike | null = null;
  try {
    adapter = (await gpu.requestAdapter()) as AdapterLike | null;
  } catch (err) {
    return { available: false, fallback: false, description: '', why: `requestAdapter failed: ${String(err)}` };
  }
  if (!adapter) return { available: false, fallback: false, description: '', why: 'no WebGPU adapter was offered' };
  const info: AdapterInfoLike = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  // Chrome reports SwiftShader through isFallbackAdapter (on the adapter, or on its info in newer versions).
  const fallback = Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) || /swiftshader/i.test(description);
  return { available: true, fallback, description };
}

async function trySetBackend(name: BackendName): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    if (!ok) return `tf.setBackend('${name}') resolved false`;
    if (tf.getBackend() !== name) return `tfjs switched to '${tf.getBackend()}' instead`;
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Chooses and activates a backend. `requested` forces one (still checked; on failure the next in order is used). */
export async function chooseBackend(requested: BackendName | null): Promise<BackendReport> {
  const rejected: BackendReport['rejected'] = [];
  const gpu = await probeWebGpu();
  // Called once WASM runs (the thread count is known then).
  const wasmNote = () =>
    globalThis.crossOriginIsolated ? `SIMD + ${getThreadsCount()} XNNPACK threads` : 'SIMD, no threads: page is not cross-origin isolated';
  let order: BackendName[];
  let reason: string;
  if (requested) {
    order = [requested, ...BACKEND_NAMES.filter((b) => b !== requested)];
    reason = `forced by ?backend=${requested}`;
  } else if (gpu.available && !gpu.fallback) {
    order = ['webgpu', 'wasm', 'webgl', 'cpu'];
    reason = `WebGPU on a hardware adapter (${gpu.description})`;
  } else {
    order = ['wasm', 'webgl', 'cpu'];
    const why = gpu.available
      ? `the only WebGPU adapter is a software fallback (${gpu.description}), much slower than WASM here`
      : `WebGPU is not available: ${gpu.why}`;
    rejected.push({ name: 'webgpu', why });
    reason = `${why}; using WASM`;
  }
  for (const name of order) {
    if (name === 'webgpu' && !gpu.available) {
      if (!rejected.some((r) => r.name === 'webgpu')) rejected.push({ name, why: gpu.why ?? 'no adapter' });
      continue;
    }
    if (name === 'wasm') defaultWasmThreads();
    let failure = await trySetBackend(name);
    if (name === 'wasm') restoreHardwareConcurrency();
    // tfjs issues report all-zero or wrong gradients on some WebGPU devices: check a tiny model against PyTorch
    // before trusting a backend with training, and move on to the next one when it disagrees.
    const selfCheck = failure === null && name !== 'cpu' ? await gradientSelfCheck() : undefined;
    if (selfCheck && !selfCheck.ok) failure = `gradient self-check failed (${selfCheck.detail})`;
    if (failure === null) {
      const isFirstChoice = name === order[0];
      const detail = name === 'wasm' ? ` (${wasmNote()})` : name === 'webgpu' ? ` (${gpu.description}${gpu.fallback ? ', software fallback adapter' : ''})` : '';
      const checked = selfCheck ? `; gradient self-check passed (max relative error ${selfCheck.maxRelError.toExponential(1)} vs PyTorch)` : '';
      return {
        name,
        reason:
          (isFirstChoice ? (requested || name === 'wasm' ? `${reason}${detail}` : reason) : `${rejected.map((r) => `${r.name}: ${r.why}`).join('; ')}; using ${name}${detail}`) +
          checked,
        adapter: gpu.available ? gpu.description : undefined,
        rejected,
        selfCheck,
      };
    }
    rejected.push({ name, why: failure });
  }
  throw new Error(`no tfjs backend could start: ${rejected.map((r) => `${r.name}: ${r.why}`).join('; ')}`);
}
