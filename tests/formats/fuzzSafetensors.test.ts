/**
 * safetensors against untrusted bytes: mutations of a real model file and generated headers (any dtype, shape and
 * offsets, valid or not) either open and read, or throw a FormatError. Overlapping and out-of-range offsets are
 * refused by name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/formatError';
import { openSafetensors, writeSafetensors } from '../../src/formats/safetensors';
import { RUNS, SEEDS, keepsContract, mutationsOf, tally } from './fuzzHelpers';

function fileOf(header: unknown, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

async function openAndRead(bytes: Uint8Array): Promise<void> {
  const reader = await openSafetensors(new Blob([bytes as BlobPart]));
  for (const t of reader.tensors.slice(0, 4)) if (!t.unreadable) await reader.read(t.name);
}

const dtype = fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'F64', 'XX', '__proto__', 'constructor');
const dim = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(-1, 1.5, 2 ** 53, 1e300), fc.constant('3' as unknown as number));
const offset = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(-4, 2.5, 2 ** 60, Number.MAX_SAFE_INTEGER));
const tensor = fc.record({ dtype, shape: fc.array(dim, { maxLength: 3 }), data_offsets: fc.oneof(fc.tuple(offset, offset), fc.array(offset, { maxLength: 3 })) }, { requiredKeys: [] });
const header = fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__metadata__', '__proto__', 'constructor')), fc.oneof(tensor, fc.anything()), { maxKeys: 5 });

describe('safetensors fuzz', () => {
  it(`mutated model files and generated headers: opened and read, or FormatError (${RUNS} + ${RUNS} cases)`, async () => {
    // A small model file as the lab's writer makes it (same layout as the Python reference, tests/io/safetensors.test.ts).
    const base = await writeSafetensors(
      new Map([
        ['blocks.0.attn.qkv.weight', { shape: [6, 2], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) }],
        ['head.bias', { shape: [2], data: Float32Array.of(0.5, -1) }],
        ['pos_embed', { shape: [1, 3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) }],
      ]),
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(base.buffer).getBigUint64(0, true));
    for (const [arbitrary, seed] of [
      [mutationsOf(base, { from: 0, to: 8 + headerLength }), SEEDS.safetensors],
      [fc.tuple(header, fc.integer({ min: 0, max: 256 })).map(([h, n]) => fileOf(h, n)), SEEDS.safetensors + 100],
    ] as const) {
      const seen = tally();
      await fc.assert(fc.asyncProperty(arbitrary, async (bytes) => seen.add(await keepsContract(() => openAndRead(bytes)))), { numRuns: RUNS, seed });
      expect(seen.counts.ok).toBeGreaterThan(0);
      expect(seen.counts.refused).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('safetensors offsets are refused by name', () => {
  const refusal = async (bytes: Uint8Array) => {
    try {
      await openSafetensors(new Blob([bytes as BlobPart]));
    } catch (error) {
      return error as FormatError;
    }
    throw new Error('opened');
  };

  it('two tensors sharing bytes', async () => {
    const error = await refusal(fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.kind).toBe('overlapping-offsets');
    expect(error.message).toMatch(/safetensors tensors a and b overlap \(bytes 4 to 8\): refused/);
  });

  it('a tensor past the data section, reversed offsets, negative or fractional offsets', async () => {
    for (const offsets of [[0, 16], [8, 4], [-4, 4], [0.5, 4.5]]) {
      const error = await refusal(fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: offsets } }, 8));
      expect(error.kind, JSON.stringify(offsets)).toBe('offsets-out-of-range');
    }
  });

  it('tensors that touch but do not overlap open fine', async () => {
    const reader = await openSafetensors(new Blob([fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12) as BlobPart]));
    expect(reader.tensors.map((t) => t.name)).toEqual(['a', 'b']);
  });
});
