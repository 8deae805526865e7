/**
 * tfjs-webgpu 4.22 keeps every buffer a disposed tensor leaves in a free pool for reuse and never gives any back
 * (BufferManager.releaseBuffer), so each new set of tensor sizes — a LoRA rank change, the next run of a grid, a
 * method change — adds its buffers to the pool for good, and the bytes the backend holds only grow. Workaround (tfjs
 * is not maintained any more): at points where the tensor sizes change, submit the queued commands and destroy the
 * free pool's buffers. Destroying a buffer after the work that uses it was submitted is safe (WebGPU spec,
 * GPUBuffer.destroy: submitted work completes); buffers still recorded in an unsubmitted encoder are submitted
 * first. Synchronous, so no tfjs operation can interleave.
 */
import * as tf from '@tensorflow/tfjs';

interface GpuBufferLike {
  size: number;
  destroy(): void;
}

interface WebGpuBackendLike {
  commandEncoder: unknown;
  endComputePassEncoder(): void;
  submitQueue(): void;
  bufferManager: { freeBuffers: Map<string, GpuBufferLike[]>; numFreeBuffers: number; numBytesAllocated: number };
}

/** Frees the WebGPU backend's pool of unused buffers; returns the bytes given back (0 on other backends). */
export function releaseFreeGpuBuffers(): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const backend = tf.backend() as unknown as WebGpuBackendLike;
  const manager = backend.bufferManager;
  if (!manager?.freeBuffers) return 0;
  if (backend.commandEncoder) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
  let freed = 0;
  for (const buffers of manager.freeBuffers.values()) {
    for (const buffer of buffers) {
      freed += buffer.size;
      buffer.destroy();
    }
    manager.numFreeBuffers -= buffers.length;
    buffers.length = 0;
  }
  manager.numBytesAllocated -= freed;
  return freed;
}
