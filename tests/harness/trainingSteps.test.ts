/**
 * The benchmark's measuring code on tfjs's CPU backend with the tiny preset: rows report every timed step and the
 * profiled step's multiply-adds, interleaved rounds pair one step of each method, and nothing stays allocated.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measurePairedRatio, measureTrainingSteps } from '../../src/harness/trainingSteps';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const options = { backend: 'cpu' as const, preset: 'tiny' as const, imgSize: 32, batch: 4, warmup: 1, reps: 3 };

describe('training-step benchmark', () => {
  it('times each method, reports every step and the LoRA/FFT multiply-add floor inputs, and frees its tensors', async () => {
    const before = tf.memory().numTensors;
    const rows = await measureTrainingSteps({ ...options, methods: ['lora', 'fft', 'linear'] });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.method)).toEqual(['lora', 'fft', 'linear']);
    for (const r of rows) {
      expect(r.stepTimesMs).toHaveLength(3);
      expect(r.msMedian).toBe([...r.stepTimesMs].sort((a, b) => a - b)[1]);
      expect(r.microBatch).toBe(4);
    }
    const [lora, fft, linear] = rows;
    expect(linear.matmulMacs).toBeLessThan(lora.matmulMacs);
    expect(lora.matmulMacs).toBeLessThan(fft.matmulMacs);
    expect(lora.optimizerStateBytes).toBeLessThan(fft.optimizerStateBytes);
  });

  it('interleaves two methods round by round and takes the median of the per-round ratios', async () => {
    const before = tf.memory().numTensors;
    const paired = await measurePairedRatio({ ...options, methods: ['lora', 'fft'] });
    expect(tf.memory().numTensors).toBe(before);
    expect(paired.rounds).toHaveLength(3);
    const ratios = paired.rounds.map(([a, b]) => a / b).sort((a, b) => a - b);
    expect(paired.medianRatio).toBe(ratios[1]);
    expect(paired.methods).toEqual(['lora', 'fft']);
  });
});
