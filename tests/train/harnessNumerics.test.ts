/**
 * The browser harness's check functions (src/harness/numerics.ts) run here on tfjs's CPU backend, so a
 * failure in e2e/numerics.spec.ts points at the browser backend, not at the harness.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { forwardChecks, optimizerChecks, TOLERANCE } from '../../src/harness/numerics';
import { loadForward, loadOptimizer } from '../model/goldenFixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('harness checks on the CPU backend', () => {
  it('forward checks: logits, loss and gradients of every method and variant pass', async () => {
    const checks = await forwardChecks('vit_rgb_lora_wide', loadForward('vit_rgb_lora_wide'));
    // 3 methods + 1 rsLoRA variant, 3 checks each
    expect(checks.length).toBe(12);
    for (const c of checks) expect(c.ok, `${c.name}: ${c.maxRelError}`).toBe(true);
    expect(checks.filter((c) => c.name.endsWith('logits')).every((c) => c.tolerance === TOLERANCE.logits)).toBe(true);
  });

  it('optimizer checks: every run passes', async () => {
    const checks = await optimizerChecks(loadOptimizer());
    expect(checks.length).toBe(4);
    for (const c of checks) expect(c.ok, `${c.name}: ${c.maxRelError}`).toBe(true);
  });
});
