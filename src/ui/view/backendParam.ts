/** Reads `?backend=webgpu|wasm|webgl|cpu` from the page URL. Pure; tested in tests/ui/backendParam.test.ts. */
import { BACKEND_NAMES, type BackendName } from '../../run/backends';

export interface BackendRequest {
  /** The backend to force, or null to let the trainer pick the fastest. */
  requested: BackendName | null;
  /** Set when the parameter was present but not a known backend (shown to the user, then ignored). */
  warning?: string;
}

export function parseBackendParam(search: string): BackendRequest {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null || raw.trim() === '') return { requested: null };
  const value = raw.trim().toLowerCase();
  const known = BACKEND_NAMES.find((b) => b === value);
  if (known) return { requested: known };
  return {
    requested: null,
    warning: `Unknown backend "${raw}" in the address (use ${BACKEND_NAMES.join(', ')}); choosing automatically.`,
  };
}
