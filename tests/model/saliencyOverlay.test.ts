/**
 * saliencyOverlay: percentile clipping and 0..255 scaling of a saliency map, on hand-computed cases
 * (percentiles as numpy.percentile's default 'linear' method gives them).
 */
import { describe, expect, it } from 'vitest';
import { saliencyOverlay } from '../../src/model/saliencyOverlay';

describe('saliencyOverlay', () => {
  it('with percentileClip 100 is a min-max scale, rounded to the nearest level', () => {
    expect([...saliencyOverlay([2, 4, 6, 3], { percentileClip: 100 })]).toEqual([0, 128, 255, 64]);
  });

  it('clips to the [100 - p, p] percentiles before scaling (one outlier does not darken the rest)', () => {
    // 0..99 then one outlier 1000: p = 90 keeps [10th, 90th] percentile = [10, 90] (101 values, ranks 10 and 90)
    const map = [...Array.from({ length: 100 }, (_, i) => i), 1000];
    const heat = saliencyOverlay(map, { percentileClip: 90 });
    expect(heat[0]).toBe(0);
    expect(heat[10]).toBe(0);
    expect(heat[50]).toBe(Math.round(((50 - 10) / 80) * 255));
    expect(heat[90]).toBe(255);
    expect(heat[100]).toBe(255);
    // without clipping the outlier squeezes 0..99 into the bottom tenth of the scale
    expect(saliencyOverlay(map, { percentileClip: 100 })[99]).toBe(Math.round((99 / 1000) * 255));
  });

  it('interpolates between ranks as numpy.percentile does', () => {
    // numpy.percentile([1, 2, 3, 4], [3, 97]) = [1.09, 3.91]: 2 -> (2 - 1.09) / 2.82 of the scale
    const heat = saliencyOverlay([1, 2, 3, 4], { percentileClip: 97 });
    expect([...heat]).toEqual([0, Math.round((0.91 / 2.82) * 255), Math.round((1.91 / 2.82) * 255), 255]);
  });

  it('defaults to the 99th percentile', () => {
    const map = Array.from({ length: 1001 }, (_, i) => i); // 1st / 99th percentiles: 10 and 990
    const heat = saliencyOverlay(map);
    expect(heat[10]).toBe(0);
    expect(heat[500]).toBe(Math.round((490 / 980) * 255));
    expect(heat[990]).toBe(255);
  });

  it('gives 0 to non-finite values and leaves them out of the percentiles; a constant map is all 0', () => {
    expect([...saliencyOverlay([NaN, 1, 3, Infinity], { percentileClip: 100 })]).toEqual([0, 0, 255, 0]);
    expect([...saliencyOverlay(new Float32Array([5, 5, 5]))]).toEqual([0, 0, 0]);
    expect([...saliencyOverlay([NaN, NaN])]).toEqual([0, 0]);
  });

  it('accepts a Float32Array and returns one byte per value', () => {
    const heat = saliencyOverlay(new Float32Array(64 * 64).map((_, i) => Math.sin(i)));
    expect(heat).toBeInstanceOf(Uint8Array);
    expect(heat.length).toBe(64 * 64);
    expect(Math.max(...heat)).toBe(255);
    expect(Math.min(...heat)).toBe(0);
  });

  it('refuses a percentile outside (50, 100]', () => {
    expect(() => saliencyOverlay([1, 2], { percentileClip: 50 })).toThrow(/percentileClip/);
    expect(() => saliencyOverlay([1, 2], { percentileClip: 101 })).toThrow(/percentileClip/);
  });
});
