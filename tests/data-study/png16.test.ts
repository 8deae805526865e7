import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { decodePngToGray, needsFullRangeDecode, percentileOfSamples, sniffPng } from '../../src/formats/image/png16';
import { resizeGray } from '../../src/formats/image/resizeGray';
import { FIXTURES } from './helpers';

const png16 = new Uint8Array(readFileSync(join(FIXTURES, 'png16', 'padchest_style_16bit.png')));
const golden = JSON.parse(readFileSync(join(FIXTURES, 'png16', 'golden.json'), 'utf8'));

function maxDifference(actual: Uint8Array, expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  return Math.max(...expected.map((e, i) => Math.abs(e - actual[i])));
}

describe('sniffPng', () => {
  it('reads bit depth and colour type from IHDR so 16-bit files are routed to the full-range decoder', () => {
    expect(sniffPng(png16)).toEqual({ width: 64, height: 64, bitDepth: 16, colorType: 0, channels: 1, interlaced: false });
    const nih = sniffPng(new Uint8Array(readFileSync(join(FIXTURES, 'bad', 'complete.png'))));
    expect(nih).toMatchObject({ bitDepth: 8, colorType: 0 });
    expect(needsFullRangeDecode(sniffPng(png16))).toBe(true);
    expect(needsFullRangeDecode(nih)).toBe(false);
    expect(sniffPng(new TextEncoder().encode('not a png at all, really not'))).toBeNull();
  });
});

describe('decodePngToGray', () => {
  it('keeps the 16-bit range and windows at the 0.5 / 99.5 percentiles like numpy + Pillow', async () => {
    const [low, high] = percentileOfSamples(Float32Array.from({ length: 1000 }, (_, i) => i), [0.5, 99.5]);
    expect([low, high]).toEqual([4, 994]); // floor(0.005 * 999), floor(0.995 * 999)
    expect(maxDifference(await decodePngToGray(png16, 64), golden.expected['64'])).toBeLessThanOrEqual(1);
    expect(maxDifference(await decodePngToGray(png16, 16), golden.expected['16'])).toBeLessThanOrEqual(1);
  });

  it('the burnt-in 65535 marker does not squash the anatomy: the image spans the 8-bit range', async () => {
    const out = await decodePngToGray(png16, 64);
    const sorted = [...out].sort((a, b) => a - b);
    expect(sorted[Math.floor(out.length * 0.01)]).toBeLessThan(10);
    expect(sorted[Math.floor(out.length * 0.98)]).toBeGreaterThan(240);
  });

  it('8-bit gray, RGB and RGBA PNGs give the same gray for gray content', async () => {
    const gray = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
    const rgb = Uint8Array.from({ length: 48 }, (_, i) => gray[Math.floor(i / 3)]);
    const rgba = Uint8Array.from({ length: 64 }, (_, i) => (i % 4 === 3 ? 255 : gray[Math.floor(i / 4)]));
    const decodeAs = (data: Uint8Array, channels: number) => decodePngToGray(encode({ width: 4, height: 4, data, channels, depth: 8 }), 4);
    expect([...(await decodeAs(gray, 1))]).toEqual([...gray]);
    expect([...(await decodeAs(rgb, 3))]).toEqual([...gray]);
    expect([...(await decodeAs(rgba, 4))]).toEqual([...gray]);
  });

  it('a truncated PNG is a readable error', async () => {
    const truncated = new Uint8Array(readFileSync(join(FIXTURES, 'bad', 'truncated.png')));
    await expect(decodePngToGray(truncated, 16)).rejects.toThrow(/truncated PNG/);
  });
});

describe('resizeGray', () => {
  it('area-averages on downscale and keeps a constant image constant', () => {
    const src = Float32Array.from([1, 3, 5, 7, 2, 4, 6, 8, 0, 0, 0, 0, 4, 4, 4, 4]);
    expect([...resizeGray(src, 4, 4, 2)]).toEqual([2.5, 6.5, 2, 2]);
    expect([...resizeGray(new Float32Array(9).fill(7), 3, 3, 2)].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([7, 7, 7, 7]);
  });

  it('fractional area weights (3 -> 2) and bilinear upscaling (2 -> 4) with half-pixel centres', () => {
    // 3 -> 2: output 0 covers source [0, 1.5): (a + b/2) / 1.5.
    expect([...resizeGray(Float32Array.from([0, 3, 6]), 3, 1, 2, 1)]).toEqual([1, 5]);
    expect([...resizeGray(Float32Array.from([0, 4]), 2, 1, 4, 1)]).toEqual([0, 1, 3, 4]);
  });
});
