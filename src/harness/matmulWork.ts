/**
 * Multiply-adds done by the matrix products of a profiled step, read from tf.profile's kernel records. The
 * LoRA/FFT ratio of these is the step-time ratio a backend would reach if every multiply-add cost the same and
 * nothing else (attention softmax, GELU, LayerNorm, optimizer) cost anything: the floor for "LoRA step / FFT step".
 */

export interface KernelShapes {
  name: string;
  inputShapes: number[][];
  outputShapes: number[][];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Multiply-adds of one BatchMatMul / _FusedMatMul record: output elements x inner dimension; 0 for other kernels. */
export function kernelMacs(k: KernelShapes): number {
  if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') return 0;
  const a = k.inputShapes[0];
  const out = k.outputShapes[0];
  if (!a || !out || a.length < 2 || out.length < 2) return 0;
  const m = out[out.length - 2];
  // a is [..., m, k], or [..., k, m] when transposed; when both dims equal m the inner dimension is m either way.
  const inner = a[a.length - 2] === m ? a[a.length - 1] : a[a.length - 2];
  return size(out) * inner;
}

export function matmulMacs(kernels: KernelShapes[]): number {
  return kernels.reduce((sum, k) => sum + kernelMacs(k), 0);
}
