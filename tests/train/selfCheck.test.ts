/**
 * The start-up gradient self-check: passes on a correct backend, leaves no tensors behind, and FAILS on a
 * backend with one wrong kernel (here: tfjs's CPU backend re-registered under another name with an Erf that
 * returns zeros, the kind of silent kernel bug tfjs issues report for WebGPU).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientSelfCheck, SELF_CHECK_TOLERANCE } from '../../src/train/selfCheck';

const BROKEN = 'cpu-broken-erf';

beforeAll(async () => {
  await tf.setBackend('cpu');
  const CpuBackend = (tf.findBackend('cpu') as object).constructor as new () => tf.KernelBackend;
  tf.registerBackend(BROKEN, () => new CpuBackend());
  for (const kernel of tf.getKernelsForBackend('cpu')) {
    if (kernel.kernelName === 'Erf') {
      tf.registerKernel({
        kernelName: 'Erf',
        backendName: BROKEN,
        kernelFunc: ({ inputs, backend }) => {
          const x = (inputs as { x: tf.TensorInfo }).x;
          return (backend as tf.KernelBackend & { makeTensorInfo(s: number[], d: string, v: Float32Array): tf.TensorInfo }).makeTensorInfo(
            x.shape, 'float32', new Float32Array(x.shape.reduce((a, b) => a * b, 1)));
        },
      });
    } else {
      tf.registerKernel({ ...kernel, backendName: BROKEN });
    }
  }
});

afterAll(async () => {
  await tf.setBackend('cpu');
  tf.removeBackend(BROKEN);
});

describe('gradientSelfCheck', () => {
  it('passes on the CPU backend, far inside its tolerance, and disposes everything it creates', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const result = await gradientSelfCheck();
    expect(tf.memory().numTensors).toBe(before);
    expect(result.ok).toBe(true);
    expect(result.maxRelError).toBeLessThan(SELF_CHECK_TOLERANCE / 10);
    expect(result.detail).toContain('cpu');
  });

  it('fails on a backend with a wrong kernel, and says where', async () => {
    expect(await tf.setBackend(BROKEN)).toBe(true);
    const result = await gradientSelfCheck();
    expect(result.ok).toBe(false);
    expect(result.maxRelError).toBeGreaterThan(SELF_CHECK_TOLERANCE);
    expect(result.detail).toContain(BROKEN);
    await tf.setBackend('cpu');
  });
});
