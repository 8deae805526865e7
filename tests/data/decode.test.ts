import { describe, expect, test } from 'vitest';
import { rgbaToGray } from '../../src/formats/image/browserDecode';
import { imageStatsOf } from '../../src/formats/image/imageStats';
import { DecodePool, defaultPoolSize, type DecodeEndpoint } from '../../src/workers/decodePool';
import { sleep } from './helpers';

describe('rgbaToGray (ITU-R BT.601 luma, alpha ignored)', () => {
  test.each([
    [[255, 0, 0, 255], 76], // 0.299 * 255 = 76.2
    [[0, 255, 0, 255], 150], // 0.587 * 255 = 149.7
    [[0, 0, 255, 255], 29], // 0.114 * 255 = 29.1
    [[255, 255, 255, 0], 255], // alpha does not matter
    [[37, 37, 37, 255], 37], // gray stays gray
    [[10, 200, 90, 128], 131], // 2.99 + 117.4 + 10.26 = 130.65
  ])('%j -> %i', (rgba, expected) => {
    expect(rgbaToGray(new Uint8ClampedArray(rgba))[0]).toBe(expected);
  });

  test('whole buffers: one output byte per pixel', () => {
    const out = rgbaToGray(new Uint8Array([1, 1, 1, 255, 2, 2, 2, 255, 3, 3, 3, 255]));
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });
});

describe('DecodePool', () => {
  function fakeEndpoints() {
    const state = { inFlight: [] as number[], maxSeen: [] as number[], calls: [] as number[], terminated: 0 };
    let created = 0;
    const create = (): DecodeEndpoint => {
      const id = created++;
      state.inFlight[id] = 0;
      state.maxSeen[id] = 0;
      return {
        async decode(blob, size) {
          state.calls.push(id);
          state.inFlight[id]++;
          state.maxSeen[id] = Math.max(state.maxSeen[id], state.inFlight[id]);
          await sleep(5);
          state.inFlight[id]--;
          if ((await blob.text()) === 'bad') throw new Error('not a decodable image (truncated or corrupt)');
          return { pixels: new Uint8Array(size * size).fill(id), stats: imageStatsOf(new Uint8Array(size * size).fill(id), size, null) };
        },
        terminate: () => { state.terminated++; },
      };
    };
    return { state, create };
  }

  test('pool size = clamp(cores - 1, 1, 4)', () => {
    expect([1, 2, 3, 8, 32].map((n) => defaultPoolSize(n))).toEqual([1, 1, 2, 4, 4]);
  });

  test('round-robin over workers with bounded in-flight work; errors reach the caller', async () => {
    const { state, create } = fakeEndpoints();
    const pool = new DecodePool({ size: 3, maxInFlightPerWorker: 2, createEndpoint: create });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => pool.decode(new Blob([i === 7 ? 'bad' : 'ok']), 2)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(29);
    const failed = results[7] as PromiseRejectedResult;
    expect(failed.reason.message).toBe('not a decodable image (truncated or corrupt)');
    expect(state.calls.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(state.maxSeen).toEqual([2, 2, 2]);
    expect(state.calls.filter((id) => id === 0).length).toBe(10);
    pool.terminate();
    expect(state.terminated).toBe(3);
  });

  test('terminate rejects queued work and later calls', async () => {
    const { create } = fakeEndpoints();
    const pool = new DecodePool({ size: 1, maxInFlightPerWorker: 1, createEndpoint: create });
    pool.decode(new Blob(['ok']), 2); // running: never settles after terminate
    const queued = pool.decode(new Blob(['ok']), 2);
    pool.terminate();
    await expect(queued).rejects.toThrow('decode pool was terminated');
    await expect(pool.decode(new Blob(['ok']), 2)).rejects.toThrow('decode pool was terminated');
  });
});
