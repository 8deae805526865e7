/**
 * Faster BatchMatMul, Slice and Identity kernels for tfjs's WASM backend, installed in place of the stock ones (same
 * names, inputs, attributes and results, so gradients and every caller are unchanged).
 *
 * Slice: the stock kernel starts with backend.readSync(x), which copies the whole input out of the WASM heap,
 * so taking a third of a [1600, 576] activation (split, and its gradient) copied all of it each time. This one
 * reads through a view of the heap and copies only the rows it returns; SplitV is re-registered to use it.
 *
 * BatchMatMul:
 *
 * Why: tfjs-backend-wasm 4.22 hands a matmul to XNNPACK's fully-connected operator only when neither side
 * is transposed and both have a batch of one (tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc); everything
 * else runs a naive blocked triple loop. A training step is mostly the other kind: every weight gradient is
 * x^T·dy (transposeA), every forward linear and input gradient of PyTorch-layout weights uses transposeB, and
 * attention is batched over batch × heads. Measured in Node on WASM (ViT-Ti, 112 px, batch 32):
 * [1600,192]·[768,192]^T took 382 ms, an explicit transpose plus the XNNPACK path 32 ms; a whole FFT step
 * spent 80 % of its time in the naive loop (scripts/profile_step.ts).
 *
 * So this kernel (1) makes transposes explicit with the WASM Transpose kernel (a memory pass, ~1 % of the
 * matmul's time) so that 2-D products take the XNNPACK path, (2) runs large batched products as one XNNPACK
 * product per batch entry (ViT-Ti attention at 112 and 224 px: 6 ms instead of 19 ms per [32, 3, 50, 50] x
 * [32, 3, 50, 64] product), and leaves small batched products to the stock loop.
 * A whole FFT step at 112 px went from 31 s to 5 s.
 *
 * tfjs-wasm caches XNNPACK's packed copy of the second operand per tensor id (not per shape). Every operand packed
 * here is a batch-of-one tensor in its own last-two-dims shape, or a fresh transpose or copy, so a cached entry is
 * only ever met again with the shape it was packed in.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelConfig['kernelFunc'];
interface KernelArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: tf.KernelBackend;
  attrs: { transposeA: boolean; transposeB: boolean };
}

/** The two BackendWasm methods used to read and write tensors in place on the WASM heap. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let installed = false;

/** Multiply-adds per batch entry from which one XNNPACK call per entry beats the naive loop (see perEntry). */
const MIN_MACS_PER_SLICE = 32_768;

/**
 * Replaces the WASM backend's BatchMatMul and Slice. Call before the WASM backend is first initialised (the stock
 * kernel's setup function is kept and still runs then). Idempotent; a no-op when WASM is not registered.
 */
export function installWasmKernels(): void {
  if (installed) return;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  const kernel = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc;
  const transpose = kernel('Transpose');
  const reshape = kernel('Reshape');
  if (!stock || !transpose || !reshape) return;
  installed = true;
  const stockFunc = stock.kernelFunc;
  const call = (f: KernelFunc, inputs: Record<string, TensorInfo>, backend: tf.KernelBackend, attrs: object) =>
    f({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
  const untransposed = { transposeA: false, transposeB: false };

  /** Entry i of x: [batch, rows, cols] as a new [1, rows, cols] tensor: one memcpy (the WASM Slice kernel took ~3 ms). */
  const entry = (wasm: WasmHeap, x: TensorInfo, i: number, rows: number, cols: number) => {
    const copy = wasm.makeOutput([1, rows, cols], 'float32');
    const n = rows * cols;
    wasm.typedArrayFromHeap(copy).set(wasm.typedArrayFromHeap(x).subarray(i * n, (i + 1) * n));
    return copy;
  };

  /** out[i] = a[i] · b[i] for a: [batch, m, k], b: [batch, k, n], each entry through XNNPACK. */
  const perEntry = (backend: tf.KernelBackend, a: TensorInfo, b: TensorInfo, batch: number, m: number, k: number, n: number) => {
    const wasm = backend as unknown as WasmHeap;
    const out = wasm.makeOutput([batch, m, n], 'float32');
    const temps: TensorInfo[] = [];
    try {
      for (let i = 0; i < batch; i++) {
        temps.push(entry(wasm, a, i, m, k), entry(wasm, b, i, k, n));
        const part = call(stockFunc, { a: temps[0], b: temps[1] }, backend, untransposed);
        temps.push(part);
        // Views are taken after the kernel ran: an allocation may have grown (and replaced) the heap.
        wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(part), i * m * n);
        for (const t of temps.splice(0)) backend.disposeData(t.dataId);
      }
    } catch (err) {
      backend.disposeData(out.dataId);
      throw err;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
    return out;
  };

  const fast: KernelFunc = (raw) => {
    const { inputs, backend, attrs } = raw as unknown as KernelArgs;
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs;
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    try {
      const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
      const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
      const rankA = a.shape.length;
      const rankB = b.shape.length;
      // [batch, rows, cols] views (no copy).
      let a3 = keep(call(reshape, { x: a }, backend, { shape: [batchA, a.shape[rankA - 2], a.shape[rankA - 1]] }));
      let b3 = keep(call(reshape, { x: b }, backend, { shape: [batchB, b.shape[rankB - 2], b.shape[rankB - 1]] }));
      const m = transposeA ? a3.shape[2] : a3.shape[1];
      const k = transposeA ? a3.shape[1] : a3.shape[2];
      const n = transposeB ? b3.shape[1] : b3.shape[2];
      const outShape = [...tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
      const kB = transposeB ? b3.shape[2] : b3.shape[1];
      if (k !== kB) throw new Error(`Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
      let out: TensorInfo;
      if (batchA === 1 && batchB === 1 && transposeA && !transposeB && m < n) {
        // XNNPACK packs its second operand (the "weights") anew for every tensor it has not seen, and packing costs
        // far more per element than a transpose. For a weight gradient dy^T·x with dy narrower than x (fc2's:
        // [M, 192] against [M, 768]; a LoRA A's: [M, 16] against [M, 192]) it is cheaper to pack dy:
        // out = (x^T·dy)^T. Measured in Node: 26 ms instead of 47 ms for fc2, 1.1 ms instead of 4.4 ms for A.
        const product = keep(call(stockFunc, { a: keep(call(transpose, { x: b3 }, backend, { perm: [0, 2, 1] })), b: a3 }, backend, untransposed));
        out = call(transpose, { x: product }, backend, { perm: [0, 2, 1] });
        out.shape = outShape;
        return out;
      }
      if (transposeA) a3 = keep(call(transpose, { x: a3 }, backend, { perm: [0, 2, 1] }));
      if (batchA === 1 && batchB === 1) {
        // XNNPACK path: both operands untransposed.
        if (transposeB) b3 = keep(call(transpose, { x: b3 }, backend, { perm: [0, 2, 1] }));
        out = call(stockFunc, { a: a3, b: b3 }, backend, untransposed);
      } else if (batchA === batchB && m * k * n >= MIN_MACS_PER_SLICE) {
        if (transposeB) b3 = keep(call(transpose, { x: b3 }, backend, { perm: [0, 2, 1] }));
        out = perEntry(backend, a3, b3, batchA, m, k, n);
      } else {
        // Small batched products (e.g. the tiny preset's attention, 17 x 32 x 17) and broadcast batches stay in the
        // stock loop, where per-call overhead is nil.
        out = call(stockFunc, { a: a3, b: b3 }, backend, { transposeA: false, transposeB });
      }
      out.shape = outShape; // same element count, as the stock kernel reshapes its result
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: fast });
  installSlice();
  installIdentity();
}

/**
 * Identity without a copy. tfjs's engine clones (Identity kernel) every tensor a kernel saves for its gradient,
 * and the stock WASM Identity copies the whole tensor each time: ~800 copies of up to [1600, 768] per ViT-Ti
 * step, 5 % of it. Tensors are immutable (a Variable's assign swaps its data id), so the output can share the
 * input's memory with one more reference, as the WASM Reshape kernel and the CPU backend's Identity do.
 */
function installIdentity(): void {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock) return;
  const identity: KernelFunc = (raw) => {
    const { inputs, backend } = raw as unknown as { inputs: { x: TensorInfo }; backend: tf.KernelBackend & { incRef(id: tf.DataId): void } };
    const { x } = inputs;
    if (x.dtype === 'string') return stock.kernelFunc(raw);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: identity });
}

/** Slice through heap views: contiguous rows of the innermost axis are copied with one TypedArray.set each. */
function installSlice(): void {
  const stock = tf.getKernel('Slice', 'wasm');
  if (!stock) return;
  const stockFunc = stock.kernelFunc;
  const slice: KernelFunc = (raw) => {
    const { inputs, backend, attrs } = raw as unknown as { inputs: { x: TensorInfo }; backend: tf.KernelBackend; attrs: { begin: number | number[]; size?: number | number[] } };
    const { x } = inputs;
    if (x.dtype === 'string') return stockFunc(raw);
    const wasm = backend as unknown as WasmHeap;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    const out = wasm.makeOutput(size, x.dtype as 'float32');
    const total = tf.util.sizeFromShape(size);
    if (total === 0) return out;
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const offset = tf.slice_util.computeFlatOffset(begin, strides);
      dst.set(src.subarray(offset, offset + total));
      return out;
    }
    // Walk every index of the outer axes (odometer order) and copy one innermost row per index.
    const rank = x.shape.length;
    const row = size[rank - 1];
    const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    for (let written = 0; written < total; written += row) {
      let offset = begin[rank - 1];
      for (let d = 0; d < rank - 1; d++) offset += (begin[d] + index[d]) * strides[d];
      dst.set(src.subarray(offset, offset + row), written);
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d] < size[d]) break;
        index[d] = 0;
      }
    }
    return out;
  };
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: slice });

  // The stock SplitV calls the stock Slice function directly (not through the registry): split through ours.
  const splitV = tf.getKernel('SplitV', 'wasm');
  if (!splitV) return;
  const split: KernelFunc = (raw) => {
    const { inputs, backend, attrs } = raw as unknown as { inputs: { x: TensorInfo }; backend: tf.KernelBackend; attrs: { numOrSizeSplits: number | number[]; axis: number | number[] } };
    const { x } = inputs;
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const part = slice({ inputs: { x }, backend, attrs: { begin: [...begin], size } }) as TensorInfo;
      begin[axis] += s;
      return part;
    });
  };
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({ ...splitV, kernelFunc: split });
}
