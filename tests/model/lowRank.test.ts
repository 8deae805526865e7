/**
 * The float64 linear algebra behind a LoRA rank shrink against torch.linalg.svd: singular values of the update
 * scaling * B A, and the Eckart–Young truncation errors sqrt(sum of squared tail singular values).
 */
import { describe, expect, it } from 'vitest';
import { mat, matmul, truncatedFactors } from '../../src/model/lowRank';
import { goldenValues } from '../../src/train/selfCheck';
import { loadMetrics } from './goldenFixtures';

const { lowRank } = loadMetrics();

describe.each(lowRank.map((c) => [c.name, c] as const))('truncated SVD of scaling B A: %s', (_name, c) => {
  const [outF, r] = c.lora_B.shape;
  const inF = c.lora_A.shape[1];
  const b = mat(outF, r, Array.from(goldenValues(c.lora_B), (v) => v * c.scaling));
  const a = mat(r, inF, goldenValues(c.lora_A));
  const full = matmul(b, a);

  it('singular values match torch.linalg.svd', () => {
    const { singularValues } = truncatedFactors(b, a, r);
    const tol = 1e-9 * c.singularValues[0];
    c.singularValues.slice(0, r).forEach((s, j) => expect(Math.abs(singularValues[j] - s), `sigma ${j}`).toBeLessThan(tol + 1e-8 * s));
    // a rank-r product has no more than r non-zero singular values
    for (const s of c.singularValues.slice(r)) expect(s).toBeLessThan(1e-12 * c.singularValues[0]);
  });

  it.each(Array.from({ length: r }, (_, j) => j + 1))('rank %i: error is the Eckart–Young tail, A has orthonormal rows', (k) => {
    const f = truncatedFactors(b, a, k);
    const approx = matmul(f.b, f.a);
    let err = 0;
    for (let i = 0; i < full.data.length; i++) err += (full.data[i] - approx.data[i]) ** 2;
    expect(Math.abs(Math.sqrt(err) - c.truncationErrors[k - 1])).toBeLessThan(1e-8 * c.singularValues[0]);
    const gram = matmul(f.a, { rows: inF, cols: k, data: transposeData(f.a.data, k, inF) });
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(gram.data[i * k + j]).toBeCloseTo(i === j ? 1 : 0, 10);
  });
});

function transposeData(data: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = data[i * cols + j];
  return t;
}
