/**
 * safetensors (github.com/huggingface/safetensors, README "Format"): an unsigned little-endian 64-bit header
 * length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}`,
 * then the raw little-endian tensor bytes; offsets are relative to the end of the header.
 * Reading slices the Blob per tensor; writing follows the same conventions as scripts/make_io_golden.py
 * (`__metadata__` first, tensors sorted by name, compact JSON padded with spaces to 8 bytes) so both
 * writers produce identical bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { type CheckpointReader, type CheckpointTensorInfo, numel, readRange } from './checkpointReader';
import { decodeFloats, encodeFloat32, type FloatDtype } from './dtypes';
import { FormatError } from './formatError';

/** Headers above this are not model files (the Rust reader's limit is 100 MB as well). */
const MAX_HEADER_BYTES = 100_000_000;

interface Located extends CheckpointTensorInfo {
  begin: number;
  end: number;
}

function isFloatDtype(d: string): d is FloatDtype {
  return d === 'F32' || d === 'F16' || d === 'BF16';
}

const BYTES_OF_DTYPE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

const notSafetensors = (kind: 'corrupt' | 'truncated' | 'too-large', message: string) => new FormatError('safetensors', kind, message);

function offsetPair(name: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new FormatError('safetensors', 'offsets-out-of-range', `safetensors tensor ${name}: data_offsets must be two non-negative integers, got ${JSON.stringify(value)}`);
  }
  const [begin, end] = value as [number, number];
  if (end < begin) throw new FormatError('safetensors', 'offsets-out-of-range', `safetensors tensor ${name}: data_offsets [${begin}, ${end}] end before they begin`);
  return [begin, end];
}

/**
 * Opens a safetensors file and checks its header as the reference reader does (safetensors/src/tensor.rs
 * `validate`): every tensor's bytes lie inside the data section, match its shape and dtype, and no two tensors
 * share bytes. Violations are refused by name ('offsets-out-of-range', 'overlapping-offsets').
 */
export async function openSafetensors(file: Blob): Promise<CheckpointReader> {
  if (file.size < 8) throw notSafetensors('truncated', 'not a safetensors file: shorter than its 8-byte header length');
  const lengthBytes = await readRange(file, 0, 8, 'safetensors');
  const headerLength = Number(new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > file.size) {
    throw notSafetensors('truncated', `not a safetensors file: header length ${headerLength} does not fit the ${file.size}-byte file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(await readRange(file, 8, 8 + headerLength, 'safetensors')));
  } catch (e) {
    throw notSafetensors('corrupt', `not a safetensors file: the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw notSafetensors('corrupt', 'not a safetensors file: the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataBytes = file.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Located[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null) continue;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) metadata[k] = String(v);
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.dtype !== 'string' || !Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) {
      throw notSafetensors('corrupt', `safetensors entry ${name} lacks dtype, shape or data_offsets`);
    }
    const shape = entry.shape as unknown[];
    if (!shape.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) throw notSafetensors('corrupt', `safetensors tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    const [begin, end] = offsetPair(name, entry.data_offsets);
    if (end > dataBytes) {
      throw new FormatError('safetensors', 'offsets-out-of-range', `safetensors tensor ${name} ends at byte ${end} of a ${dataBytes}-byte data section (truncated file or bad offsets)`);
    }
    const dtype = entry.dtype;
    const elementBytes = Object.hasOwn(BYTES_OF_DTYPE, dtype) ? BYTES_OF_DTYPE[dtype] : undefined;
    if (elementBytes !== undefined && end - begin !== numel(shape as number[]) * elementBytes) {
      throw notSafetensors('corrupt', `safetensors tensor ${name}: ${end - begin} bytes do not hold shape [${shape}] of ${dtype}`);
    }
    const float = isFloatDtype(dtype);
    tensors.push({
      name,
      shape: shape as number[],
      dtype,
      unreadable: float ? null : `dtype ${dtype} is not a float type`,
      begin: dataStart + begin,
      end: dataStart + end,
    });
  }
  const byOffset = tensors.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byOffset.length; i++) {
    if (byOffset[i].begin < byOffset[i - 1].end) {
      throw new FormatError('safetensors', 'overlapping-offsets', `safetensors tensors ${byOffset[i - 1].name} and ${byOffset[i].name} overlap (bytes ${byOffset[i].begin - dataStart} to ${Math.min(byOffset[i].end, byOffset[i - 1].end) - dataStart}): refused`);
    }
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return {
    format: 'safetensors',
    tensors: tensors.map(({ name, shape, dtype, unreadable }) => ({ name, shape, dtype, unreadable })),
    metadata,
    async read(name: string): Promise<Float32Array> {
      const t = byName.get(name);
      if (!t) throw new FormatError('safetensors', 'missing', `no tensor ${name} in this safetensors file`);
      if (t.unreadable) throw new FormatError('safetensors', 'unsupported', `tensor ${name}: ${t.unreadable}`);
      return decodeFloats(await readRange(file, t.begin, t.end, 'safetensors'), t.dtype as FloatDtype, numel(t.shape));
    },
  };
}

/** A tensor already on the host: row-major float32 values and their shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** What the writer accepts: a tf.Tensor, a HostTensor, or a bare Float32Array (written as 1-D). */
export type WritableTensor = tf.Tensor | HostTensor | Float32Array;

async function toHost(t: WritableTensor): Promise<HostTensor> {
  if (t instanceof Float32Array) return { shape: [t.length], data: t };
  if (t instanceof tf.Tensor) return { shape: t.shape, data: Float32Array.from(await t.data()) };
  if (t.data.length !== numel(t.shape)) throw new Error(`tensor data (${t.data.length}) does not match shape [${t.shape}]`);
  return t;
}

/** Serialises float32 tensors as safetensors bytes (wrap in a Blob to download). */
export async function writeSafetensors(tensors: Map<string, WritableTensor>, metadata: Record<string, string> = {}): Promise<Uint8Array<ArrayBuffer>> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const names = [...tensors.keys()].sort();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new Error('"__metadata__" cannot be a tensor name');
    const host = await toHost(tensors.get(name)!);
    const bytes = encodeFloat32(host.data);
    header[name] = { dtype: 'F32', shape: host.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8; // data then starts 8-byte aligned
  if (padded !== json.byteLength) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Convenience for small files and tests: every readable tensor, in file order. */
export async function readSafetensors(file: Blob): Promise<{ tensors: Map<string, HostTensor>; metadata: Record<string, string> }> {
  const reader = await openSafetensors(file);
  const tensors = new Map<string, HostTensor>();
  for (const info of reader.tensors) {
    if (!info.unreadable) tensors.set(info.name, { shape: info.shape, data: await reader.read(info.name) });
  }
  return { tensors, metadata: reader.metadata };
}
