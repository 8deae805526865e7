/** productSingularValues (the teaching view of an adapter's B A) against torch.linalg.svd's golden values. */
import { describe, expect, it } from 'vitest';
import { mat, productSingularValues } from '../../src/model/lowRank';
import { goldenValues } from '../../src/train/selfCheck';
import { loadMetrics } from './goldenFixtures';

const { lowRank } = loadMetrics();

describe.each(lowRank.map((c) => [c.name, c] as const))('singular values of scaling B A: %s', (_name, c) => {
  it('match torch.linalg.svd, descending, r of them', () => {
    const [outF, r] = c.lora_B.shape;
    const b = mat(outF, r, Array.from(goldenValues(c.lora_B), (v) => v * c.scaling));
    const a = mat(r, c.lora_A.shape[1], goldenValues(c.lora_A));
    const s = productSingularValues(b, a);
    expect(s).toHaveLength(r);
    const tol = 1e-9 * c.singularValues[0];
    c.singularValues.slice(0, r).forEach((want, j) => expect(Math.abs(s[j] - want), `sigma ${j}`).toBeLessThan(tol + 1e-8 * want));
    for (let j = 1; j < r; j++) expect(s[j]).toBeLessThanOrEqual(s[j - 1]);
  });
});
