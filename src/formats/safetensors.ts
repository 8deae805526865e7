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
import { DTYPE_BYTES, decodeFloats, encodeFloat32, type FloatDtype } from './dtypes';

/** Headers above this are not model files (the Rust reader's limit is 100 MB as well). */
const MAX_HEADER_BYTES = 100_000_000;

interface Located extends CheckpointTensorInfo {
  begin: number;
  end: number;
}

function isFloatDtype(d: string): d is FloatDtype {
  return d === 'F32' || d === 'F16' || d === 'BF16';
}

export async function openSafetensors(file: Blob): Promise<CheckpointReader> {
  if (file.size < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const lengthBytes = await readRange(file, 0, 8);
  const headerLength = Number(new DataView(lengthBytes.buffer).getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > file.size) {
    throw new Error(`not a safetensors file: header length ${headerLength} does not fit the ${file.size}-byte file`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(await readRange(file, 8, 8 + headerLength)));
  } catch (e) {
    throw new Error(`not a safetensors file: the header is not JSON (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const metadata: Record<string, string> = {};
  const tensors: Located[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) metadata[k] = String(v);
      continue;
    }
    const entry = value as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (typeof entry?.dtype !== 'string' || !Array.isArray(entry.shape) || !Array.isArray(entry.data_offsets)) {
      throw new Error(`safetensors entry ${name} lacks dtype, shape or data_offsets`);
    }
    const [begin, end] = entry.data_offsets;
    if (dataStart + end > file.size) throw new Error(`safetensors tensor ${name} ends past the end of the file (truncated?)`);
    const float = isFloatDtype(entry.dtype);
    if (float && end - begin !== numel(entry.shape) * DTYPE_BYTES[entry.dtype as FloatDtype]) {
      throw new Error(`safetensors tensor ${name}: ${end - begin} bytes do not hold shape [${entry.shape}] of ${entry.dtype}`);
    }
    tensors.push({
      name,
      shape: entry.shape,
      dtype: entry.dtype,
      unreadable: float ? null : `dtype ${entry.dtype} is not a float type`,
      begin: dataStart + begin,
      end: dataStart + end,
    });
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return {
    format: 'safetensors',
    tensors: tensors.map(({ name, shape, dtype, unreadable }) => ({ name, shape, dtype, unreadable })),
    metadata,
    async read(name: string): Promise<Float32Array> {
      const t = byName.get(name);
      if (!t) throw new Error(`no tensor ${name} in this safetensors file`);
      if (t.unreadable) throw new Error(`tensor ${name}: ${t.unreadable}`);
      return decodeFloats(await readRange(file, t.begin, t.end), t.dtype as FloatDtype, numel(t.shape));
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
