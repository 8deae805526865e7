/**
 * The tfjs backends the lab can train on, and the report of which one was chosen and why. Plain data: the UI
 * shows it, the metrics file records it, src/lab/backend.ts produces it.
 */
export type BackendName = 'webgpu' | 'wasm' | 'webgl' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

export interface BackendReport {
  name: BackendName;
  /** Why this backend: "forced by ?backend=wasm", "WebGPU adapter is a software fallback (SwiftShader) ...". */
  reason: string;
  /** Adapter description when WebGPU was probed. */
  adapter?: string;
  /** Backends tried before this one, with why each was not used. */
  rejected: { name: BackendName; why: string }[];
  /** Start-up gradient self-check on this backend against PyTorch values (src/train/selfCheck.ts). */
  selfCheck?: { ok: boolean; maxRelError: number; detail: string };
}
