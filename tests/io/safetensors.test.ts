import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFloats, halfToFloat } from '../../src/formats/dtypes';
import { openSafetensors, readSafetensors, writeSafetensors } from '../../src/formats/safetensors';
import { fixtureBlob, fixtureBytes, fixtureTensors, golden } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('safetensors', () => {
  it('reads the header, metadata and shapes written by the Python reference', async () => {
    const reader = await openSafetensors(await fixtureBlob('vit_small.safetensors'));
    expect(JSON.parse(reader.metadata.vitConfig).numHeads).toBe(2);
    const byName = new Map(reader.tensors.map((t) => [t.name, t]));
    expect(byName.get('blocks.1.attn.qkv.weight')?.shape).toEqual([96, 32]);
    expect(byName.get('patch_embed.proj.weight')?.dtype).toBe('F32');
    expect((await reader.read('pos_embed')).length).toBe(17 * 32);
  });

  it('re-writes the Python file byte for byte (same header order, padding and data)', async () => {
    const { tensors, metadata } = await readSafetensors(await fixtureBlob('vit_small.safetensors'));
    const bytes = await writeSafetensors(tensors, metadata);
    expect(Buffer.from(bytes).equals(Buffer.from(fixtureBytes('vit_small.safetensors')))).toBe(true);
  });

  it('round-trips tf tensors, host tensors and bare Float32Arrays with 8-byte aligned data', async () => {
    const t = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const bytes = await writeSafetensors(
      new Map<string, tf.Tensor | Float32Array | { shape: number[]; data: Float32Array }>([
        ['b', t],
        ['a', new Float32Array([0.5, -1e-30, 3e38])],
        ['c', { shape: [2, 1], data: new Float32Array([7, 8]) }],
      ]),
      { note: 'é unicode' },
    );
    t.dispose();
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { tensors, metadata } = await readSafetensors(new Blob([bytes]));
    expect(metadata.note).toBe('é unicode');
    expect([...tensors.keys()]).toEqual(['a', 'b', 'c']);
    expect(tensors.get('b')).toEqual({ shape: [1, 2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect([...tensors.get('a')!.data]).toEqual([...new Float32Array([0.5, -1e-30, 3e38])]);
    expect(tensors.get('c')!.shape).toEqual([2, 1]);
  });

  it('decodes F16 and BF16 edge values exactly as torch widens them', async () => {
    const { tensors } = await readSafetensors(await fixtureBlob('dtype_probe.safetensors'));
    for (const name of ['probe_f16', 'probe_bf16']) {
      const expected = golden.dtypeProbe[name].map((s) => (s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s)));
      const actual = [...tensors.get(name)!.data];
      expect(actual.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
        expected.map((v) => (Object.is(v, -0) ? '-0' : String(Math.fround(v)))),
      );
    }
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
  });

  it('reads a BF16 model file to the F32 values rounded to bfloat16', async () => {
    const f32 = await fixtureTensors('vit_small.safetensors');
    const bf16 = await fixtureTensors('vit_small_bf16.safetensors');
    expect([...bf16.keys()].sort()).toEqual([...f32.keys()].sort());
    for (const [name, t] of f32) {
      const got = bf16.get(name)!;
      expect(got.shape).toEqual(t.shape);
      const worst = t.data.reduce((w, v, i) => Math.max(w, Math.abs(got.data[i] - v) - Math.abs(v) * 2 ** -8), 0);
      expect(worst, name).toBeLessThanOrEqual(0);
    }
  });

  it('rejects truncated files and non-JSON headers with a clear message', async () => {
    const bytes = fixtureBytes('vit_small.safetensors');
    await expect(openSafetensors(new Blob([bytes.slice(0, bytes.length - 100)]))).rejects.toThrow(/truncated/);
    const garbage = new Uint8Array(64);
    new DataView(garbage.buffer).setBigUint64(0, 16n, true);
    await expect(openSafetensors(new Blob([garbage]))).rejects.toThrow(/not JSON/);
    await expect(openSafetensors(new Blob([new Uint8Array(4)]))).rejects.toThrow(/not a safetensors file/);
  });

  it('refuses too short buffers in the dtype decoder', () => {
    expect(() => decodeFloats(new Uint8Array(6), 'F32', 2)).toThrow(/expected 8 bytes/);
  });
});
