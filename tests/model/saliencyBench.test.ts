/**
 * The saliency benchmark's measuring part (src/harness/saliencyBench.ts) on the CPU backend: one row per method
 * asked for, with the timed calls it was asked for, and no tensor left behind (it builds and frees a model).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { measureSaliency } from '../../src/harness/saliencyBench';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('times each method on the tiny preset and frees everything it made', async () => {
  const before = tf.memory().numTensors;
  const rows = await measureSaliency({ preset: 'tiny', reps: 2, warmup: 1, smoothGradSamples: 3, smoothGradBatch: 2 });
  expect(tf.memory().numTensors).toBe(before);
  expect(rows.map((r) => r.method)).toEqual(['gradientTimesInput', 'smoothGrad', 'attentionRollout']);
  for (const r of rows) {
    expect(r).toMatchObject({ backend: 'cpu', preset: 'tiny', imgSize: 64, lora: true });
    expect(r.timesMs).toHaveLength(2);
    expect(r.msMedian).toBeGreaterThan(0);
    expect(r.msMin).toBeLessThanOrEqual(r.msMedian);
  }
  expect(rows[1]).toMatchObject({ samples: 3, batchSize: 2 });
});
