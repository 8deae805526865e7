/**
 * A lost WebGPU device (driver reset, GPU removed, the browser reclaiming it, or tfjs-webgpu failing on a long run,
 * e.g. `mapAsync` on a buffer whose device is gone): every tensor on it is gone with it. The lab watches the device's
 * `lost` promise (WebGPU spec, GPUDevice.lost) and treats the errors such a loss causes as one event, so the run
 * can restart from its last checkpoint on a fresh backend instead of failing.
 */
import * as tf from '@tensorflow/tfjs';

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

let lost: { reason: string; message: string } | null = null;
let watched: GpuDeviceLike | null = null;

function currentDevice(): GpuDeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return ((tf.backend() as unknown as { device?: GpuDeviceLike }).device ?? null) as GpuDeviceLike | null;
}

/** Starts watching the active WebGPU device (call after the backend is chosen); no-op on other backends. */
export function watchDevice(): void {
  const device = currentDevice();
  if (!device || device === watched) return;
  watched = device;
  lost = null;
  void device.lost.then((info) => {
    if (watched === device) lost = { reason: info?.reason ?? 'unknown', message: info?.message ?? '' };
  });
}

/** Messages tfjs-webgpu and the browser give when the device is gone (seen on long runs and after a reset). */
const LOST_PATTERN = /device (is |was )?lost|lost device|mapAsync|GPUBuffer|instance (was )?dropped|destroyed device|OperationError/i;

/** The loss, if the device is gone (or `error` is one a lost device causes). */
export function deviceLoss(error?: unknown): { reason: string; message: string } | null {
  if (lost) return lost;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error ?? '');
  if (watched && error !== undefined && LOST_PATTERN.test(text)) return { reason: 'error', message: text };
  return null;
}

/** Test hook: destroys the active WebGPU device, as a driver reset would (`?fault-hooks` pages only). */
export function loseDeviceForTest(): boolean {
  const device = currentDevice();
  if (!device) return false;
  device.destroy();
  return true;
}

/** Forgets the device (a new backend was chosen). */
export function forgetDevice(): void {
  watched = null;
  lost = null;
}
