/**
 * One interface over the checkpoint formats the lab opens, so that the loader can decide what to load from
 * names and shapes alone (read from a small header) and then read the tensors one at a time from the Blob.
 * Memory then stays at about one copy of the model, never the file plus the model.
 */
import { FormatError, type FormatName } from './formatError';

export interface CheckpointTensorInfo {
  name: string;
  shape: number[];
  /** on-disk type as the format spells it (safetensors 'F32' / 'F16' / 'BF16', torch 'FloatStorage' ...) */
  dtype: string;
  /** why this tensor cannot be read as float32, or null when it can */
  unreadable: string | null;
}

export interface CheckpointReader {
  format: 'safetensors' | 'pth' | 'cached';
  tensors: CheckpointTensorInfo[];
  /** safetensors `__metadata__`; empty for .pth */
  metadata: Record<string, string>;
  /** Reads one tensor's values as float32 (row-major, the on-disk shape). */
  read(name: string): Promise<Float32Array>;
  /** Releases what the reader holds open (the cache's database connection). */
  close?(): void;
}

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads bytes [begin, end) of a Blob without touching the rest of it; a range past the end is a truncated file. */
export async function readRange(file: Blob, begin: number, end: number, format: FormatName = 'zip'): Promise<Uint8Array> {
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end > file.size || end < begin) {
    throw new FormatError(format, 'truncated', `byte range [${begin}, ${end}) lies outside the ${file.size}-byte file (truncated download?)`);
  }
  return new Uint8Array(await file.slice(begin, end).arrayBuffer());
}
