/**
 * The parameter / memory / throughput figures of a running run (issue 11, section 4), sampled after loss
 * read-backs. Memory is what the backend really holds: on WebGPU the bytes of every buffer tfjs allocated, including
 * the freed ones it keeps in its pool for reuse (numBytesAllocatedInGPU), not only those of live tensors; on WASM the
 * size of the module's heap (it grows and never shrinks); elsewhere the bytes of live tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { ParamCount } from '../run/paramCount';
import type { ResourceSample } from '../run/records';

/** Bytes the current backend has allocated (see the header). */
export function backendBytes(): number {
  const mem = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
  if (typeof mem.numBytesAllocatedInGPU === 'number') return mem.numBytesAllocatedInGPU;
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  if (wasm?.HEAPU8) return wasm.HEAPU8.buffer.byteLength;
  return mem.numBytes;
}

export interface ResourceInputs {
  step: number;
  params: ParamCount;
  optimizerStateBytes: number;
  /** Smoothed wall-clock ms per step (data wait included). */
  msPerStep: number;
  batchSize: number;
  microBatch: number;
  /** ms the loop waited for batches, and the wall-clock ms, over the same window. */
  waitMs: number;
  wallMs: number;
}

export function sampleResources(o: ResourceInputs): ResourceSample {
  const mem = tf.memory();
  return {
    step: o.step,
    params: o.params,
    optimizerStateBytes: o.optimizerStateBytes,
    numTensors: mem.numTensors,
    tensorBytes: mem.numBytes,
    backendBytes: backendBytes(),
    msPerStep: o.msPerStep,
    imagesPerSec: o.msPerStep > 0 ? (o.batchSize * 1000) / o.msPerStep : 0,
    dataWaitShare: o.wallMs > 0 ? Math.min(1, o.waitMs / o.wallMs) : 0,
    microBatch: o.microBatch,
  };
}
