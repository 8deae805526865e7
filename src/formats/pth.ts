/**
 * PyTorch checkpoints as torch.save writes them since 1.6: a zip holding `<archive>/data.pkl` (the pickled
 * object, tensors as persistent references) and one `<archive>/data/<key>` entry per storage
 * (torch/serialization.py `_save`, `_load`). The pickle is small and read whole; tensor bytes are sliced
 * from the Blob per tensor. The state dict is taken from "model", "state_dict" or the top level (MAE and MRM
 * save `{"model": state_dict, "optimizer": ..., "args": Namespace}`).
 *
 * The pickle may name only the globals of ALLOWED_GLOBALS (the tensor-rebuilding functions, storage and dtype
 * classes, and inert containers torch's own weights_only loader also accepts, plus argparse.Namespace for MAE's
 * `args`); any other name is refused by the unpickler (FormatError 'forbidden-global').
 */
import { type CheckpointReader, type CheckpointTensorInfo, numel } from './checkpointReader';
import { decodeFloats, type FloatDtype } from './dtypes';
import { FormatError } from './formatError';
import { unpickle } from './pickle';
import { ZipReader } from './zipReader';

interface StorageRef {
  key: string;
  typeName: string;
}

interface TensorRef {
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

const FLOAT_STORAGES: Record<string, FloatDtype> = { FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16' };
const ELEMENT_BYTES: Record<string, number> = {
  FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, DoubleStorage: 8, LongStorage: 8, IntStorage: 4,
  ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1,
};
const STATE_DICT_KEYS = ['model', 'state_dict', 'model_state'];
/** 2^28 float32 values = 1 GiB: above any ViT tensor (ViT-g's largest is 1408 x 6144 = 8.7 M). */
const MAX_TENSOR_ELEMENTS = 2 ** 28;

/**
 * Names the pickle may mention besides the rebuild functions (called) and collections.OrderedDict (a Map):
 * built as inert objects, never imported or run. After torch/_weights_only_unpickler.py `_get_allowed_globals`.
 */
const ALLOWED_GLOBALS = new Set([
  'torch.Size', 'torch.device', 'torch.Tensor', 'torch.nn.parameter.Parameter', 'torch.serialization._get_layout',
  'argparse.Namespace', 'collections.Counter', '_codecs.encode',
  'builtins.set', 'builtins.frozenset', 'builtins.bytearray', 'builtins.slice', 'builtins.complex',
  'numpy.dtype', 'numpy.ndarray', 'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar',
  'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct',
]);
const ALLOWED_PATTERNS = [
  /^torch\.[A-Za-z0-9]*Storage$/,
  /^torch\.(float|double|half|bfloat16|float16|float32|float64|int|long|short|int8|int16|int32|int64|uint8|bool|complex64|complex128|cfloat|cdouble)$/,
  /^numpy\.dtypes\.[A-Za-z0-9]+DType$/,
];

export function isAllowedTorchGlobal(name: string): boolean {
  return ALLOWED_GLOBALS.has(name) || ALLOWED_PATTERNS.some((p) => p.test(name));
}

const corrupt = (message: string) => new FormatError('pth', 'corrupt', message);

function nonNegativeInts(value: unknown, what: string): number[] {
  if (!Array.isArray(value)) throw corrupt(`tensor ${what} is not a tuple`);
  return value.map((v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw corrupt(`tensor ${what} holds ${String(v)}, not a non-negative integer`);
    return n;
  });
}

function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && typeof (v as StorageRef).key === 'string' && typeof (v as StorageRef).typeName === 'string';
}

/** Own keys only: a storage named "constructor" must not find Object.prototype's. */
function floatDtypeOf(typeName: string): FloatDtype | undefined {
  return Object.hasOwn(FLOAT_STORAGES, typeName) ? FLOAT_STORAGES[typeName] : undefined;
}

function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && 'storage' in v && 'stride' in v;
}

function rowMajorStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  const expected = rowMajorStrides(shape);
  return shape.every((n, i) => n === 1 || stride[i] === expected[i]);
}

/** Gathers a strided view (torch's as_strided) into row-major order; `values` start at the view's offset. */
function gatherStrided(values: Float32Array, shape: number[], stride: number[]): Float32Array {
  const out = new Float32Array(numel(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += index[d] * stride[d];
    out[k] = values[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

function findStateDict(root: unknown): Map<string, TensorRef> {
  const hasTensors = (m: unknown): m is Map<unknown, unknown> => m instanceof Map && [...m.values()].some(isTensorRef);
  let source: Map<unknown, unknown> | null = null;
  if (root instanceof Map) {
    for (const key of STATE_DICT_KEYS) if (!source && hasTensors(root.get(key))) source = root.get(key) as Map<unknown, unknown>;
    if (!source && hasTensors(root)) source = root;
  }
  if (!source) throw new FormatError('pth', 'missing', `no state dict found: expected tensors under ${STATE_DICT_KEYS.map((k) => `"${k}"`).join(', ')} or at the top level`);
  const out = new Map<string, TensorRef>();
  for (const [k, v] of source) if (typeof k === 'string' && isTensorRef(v)) out.set(k, v);
  return out;
}

export async function openPth(file: Blob): Promise<CheckpointReader> {
  const zip = await ZipReader.open(file).catch((e: Error) => {
    const kind = e instanceof FormatError ? e.kind : 'corrupt';
    throw new FormatError('pth', kind, `not a torch.save zip archive (${e.message}); checkpoints saved by torch < 1.6 must be re-saved or converted to safetensors`);
  });
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) throw new FormatError('pth', 'missing', `expected one <archive>/data.pkl in the zip, found ${pickles.length}`);
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (zip.entries.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(await zip.readEntryRange(`${prefix}byteorder`)).trim();
    if (order !== 'little') throw new FormatError('pth', 'unsupported', `checkpoint was saved ${order}-endian; only little-endian is supported`);
  }
  const rebuildTensor = (storage: unknown, offset: unknown, shape: unknown, stride: unknown): TensorRef => {
    if (!isStorageRef(storage)) throw corrupt('a tensor is rebuilt from something that is not a storage');
    const [at] = nonNegativeInts([offset], 'offset');
    const dims = nonNegativeInts(shape, 'shape');
    const steps = nonNegativeInts(stride, 'stride');
    if (steps.length !== dims.length) throw corrupt(`tensor shape [${dims}] and stride [${steps}] differ in length`);
    return { storage, offset: at, shape: dims, stride: steps };
  };
  const root = unpickle(await zip.readEntryRange(pickles[0]), {
    callables: {
      'torch._utils._rebuild_tensor_v2': rebuildTensor,
      'torch._utils._rebuild_tensor': rebuildTensor,
      'torch._utils._rebuild_parameter': (data) => data,
      'torch._utils._rebuild_parameter_with_state': (data) => data,
      'torch._tensor._rebuild_from_type_v2': (_fn, _type, args) => {
        if (!Array.isArray(args)) throw corrupt('_rebuild_from_type_v2 without an argument tuple');
        return rebuildTensor(args[0], args[1], args[2], args[3]);
      },
    },
    allowedGlobals: isAllowedTorchGlobal,
    persistentLoad(pid) {
      // ('storage', <class torch.FloatStorage>, key, location, numel)
      const tuple = pid as unknown[];
      if (!Array.isArray(tuple) || tuple[0] !== 'storage') throw corrupt('unexpected persistent id in the pickle');
      const type = tuple[1] as { name?: unknown } | null;
      const typeName = typeof type?.name === 'string' ? type.name : String(type);
      return { key: String(tuple[2]), typeName } satisfies StorageRef;
    },
  });
  const refs = findStateDict(root);
  const tensors: CheckpointTensorInfo[] = [...refs].map(([name, ref]) => ({
    name,
    shape: ref.shape,
    dtype: ref.storage.typeName,
    unreadable: floatDtypeOf(ref.storage.typeName) ? null : `storage type ${ref.storage.typeName} is not a float type`,
  }));
  return {
    format: 'pth',
    tensors,
    metadata: {},
    async read(name: string): Promise<Float32Array> {
      const ref = refs.get(name);
      if (!ref) throw new FormatError('pth', 'missing', `no tensor ${name} in this checkpoint`);
      const dtype = floatDtypeOf(ref.storage.typeName);
      if (!dtype) throw new FormatError('pth', 'unsupported', `tensor ${name}: storage type ${ref.storage.typeName} is not a float type`);
      if (numel(ref.shape) > MAX_TENSOR_ELEMENTS) throw new FormatError('pth', 'too-large', `tensor ${name} of shape [${ref.shape}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
      const bytes = ELEMENT_BYTES[ref.storage.typeName];
      const contiguous = isContiguous(ref.shape, ref.stride);
      // Elements spanned by the view: everything up to its last element (strides are non-negative in torch).
      const span = contiguous ? numel(ref.shape) : ref.shape.reduce((s, n, d) => s + (n - 1) * ref.stride[d], 0) + 1;
      const entry = `${prefix}data/${ref.storage.key}`;
      const raw = await zip.readEntryRange(entry, ref.offset * bytes, (ref.offset + span) * bytes);
      const values = decodeFloats(raw, dtype, span);
      return contiguous ? values : gatherStrided(values, ref.shape, ref.stride);
    },
  };
}
