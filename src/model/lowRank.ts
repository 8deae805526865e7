/**
 * Small dense linear algebra in float64 for LoRA rank changes (runs on a slider event, not per step).
 * The learned update of an adapter is B A with B [out, r], A [r, in]; its best rank-k approximation
 * (Eckart–Young) comes from the SVD of that product. We never form the out x in matrix: with thin QR
 * factorisations B = Qb Rb and A^T = Qa Ra, B A = Qb (Rb Ra^T) Qa^T, so only the r x r core is decomposed.
 */

/** Row-major dense matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  const m = { rows, cols, data: new Float64Array(rows * cols) };
  if (data) m.data.set(data);
  return m;
}

export function transpose(a: Mat): Mat {
  const t = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const c = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) c.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  }
  return c;
}

/**
 * Thin QR by modified Gram–Schmidt with one re-orthogonalisation pass (numerically adequate for the
 * r <= 64 columns of a LoRA factor). Columns that are (numerically) dependent get a zero Q column and a
 * zero diagonal in R, which keeps Q R = A exact.
 */
export function thinQr(a: Mat): { q: Mat; r: Mat } {
  const m = a.rows;
  const n = a.cols;
  const q = mat(m, n);
  const r = mat(n, n);
  const col = new Float64Array(m);
  let scale = 0;
  for (const v of a.data) scale = Math.max(scale, Math.abs(v));
  const tiny = scale * 1e-13 * Math.sqrt(m);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) col[i] = a.data[i * n + j];
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q.data[i * n + k] * col[i];
        for (let i = 0; i < m; i++) col[i] -= dot * q.data[i * n + k];
        r.data[k * n + j] += dot;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    if (norm > tiny) {
      r.data[j * n + j] = norm;
      for (let i = 0; i < m; i++) q.data[i * n + j] = col[i] / norm;
    }
  }
  return { q, r };
}

/**
 * SVD of a small square matrix by one-sided Jacobi rotations (Hestenes): orthogonalise the columns of
 * M V until all pairs are orthogonal; then sigma_j = |column j| and U = columns / sigma. Returns singular
 * values in descending order. Accurate to working precision for the sizes used here.
 */
export function jacobiSvd(m: Mat): { u: Mat; s: Float64Array; v: Mat } {
  const n = m.cols;
  const rows = m.rows;
  const w = mat(rows, n, m.data);
  const v = mat(n, n);
  for (let i = 0; i < n; i++) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          const wp = w.data[i * n + p];
          const wq = w.data[i * n + q];
          alpha += wp * wp;
          beta += wq * wq;
          gamma += wp * wq;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const wp = w.data[i * n + p];
          const wq = w.data[i * n + q];
          w.data[i * n + p] = c * wp - s * wq;
          w.data[i * n + q] = s * wp + c * wq;
        }
        for (let i = 0; i < n; i++) {
          const vp = v.data[i * n + p];
          const vq = v.data[i * n + q];
          v.data[i * n + p] = c * vp - s * vq;
          v.data[i * n + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const sig = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += w.data[i * n + j] ** 2;
    sig[j] = Math.sqrt(norm);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => sig[b] - sig[a]);
  const u = mat(rows, n);
  const vs = mat(n, n);
  const s = new Float64Array(n);
  order.forEach((src, dst) => {
    s[dst] = sig[src];
    for (let i = 0; i < rows; i++) u.data[i * n + dst] = sig[src] > 0 ? w.data[i * n + src] / sig[src] : 0;
    for (let i = 0; i < n; i++) vs.data[i * n + dst] = v.data[i * n + src];
  });
  return { u, s, v: vs };
}

/**
 * Best rank-k factors of the product B A (B [out, r], A [r, in], k <= r):
 * returns B' = U_k diag(S_k) [out, k] and A' = V_k^T [k, in] with orthonormal rows, so that B' A' is the
 * truncated SVD of B A. A' keeps unit-norm rows even where S is zero, so a shrunk adapter stays trainable
 * (a zero A would make B's gradient vanish as well).
 */
export function truncatedFactors(b: Mat, a: Mat, k: number): { b: Mat; a: Mat; singularValues: Float64Array } {
  if (b.cols !== a.rows) throw new Error('truncatedFactors: inner dimensions differ');
  if (k > b.cols) throw new Error(`truncatedFactors: k=${k} exceeds rank ${b.cols}`);
  const { q: qb, r: rb } = thinQr(b);
  const { q: qa, r: ra } = thinQr(transpose(a));
  const core = matmul(rb, transpose(ra)); // [r, r]
  const { u, s, v } = jacobiSvd(core);
  const uFull = matmul(qb, u); // [out, r]
  let vFull = matmul(qa, v); // [in, r]
  // Columns of Qa can be zero when A is rank-deficient; give such directions a fresh orthonormal basis so A' rows stay unit norm.
  vFull = completeOrthonormal(vFull);
  const bOut = mat(b.rows, k);
  const aOut = mat(k, a.cols);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < b.rows; i++) bOut.data[i * k + j] = uFull.data[i * uFull.cols + j] * s[j];
    for (let i = 0; i < a.cols; i++) aOut.data[j * a.cols + i] = vFull.data[i * vFull.cols + j];
  }
  return { b: bOut, a: aOut, singularValues: s };
}

/** Replace (near-)zero columns of a matrix with orthonormal columns orthogonal to the others (Gram–Schmidt on unit vectors). */
function completeOrthonormal(m: Mat): Mat {
  const out = mat(m.rows, m.cols, m.data);
  let candidate = 0;
  for (let j = 0; j < m.cols; j++) {
    let norm = 0;
    for (let i = 0; i < m.rows; i++) norm += out.data[i * m.cols + j] ** 2;
    if (norm > 0.5) continue;
    while (candidate < m.rows) {
      const col = new Float64Array(m.rows);
      col[candidate++] = 1;
      for (let k = 0; k < m.cols; k++) {
        if (k === j) continue;
        let dot = 0;
        for (let i = 0; i < m.rows; i++) dot += out.data[i * m.cols + k] * col[i];
        for (let i = 0; i < m.rows; i++) col[i] -= dot * out.data[i * m.cols + k];
      }
      let n2 = 0;
      for (const x of col) n2 += x * x;
      if (n2 > 1e-6) {
        const n = Math.sqrt(n2);
        for (let i = 0; i < m.rows; i++) out.data[i * m.cols + j] = col[i] / n;
        break;
      }
    }
  }
  return out;
}

/**
 * Singular values of the product B A (B [out, r], A [r, in]), descending, without forming it: with B = Qb Rb and
 * A^T = Qa Ra, B A = Qb (Rb Ra^T) Qa^T, whose singular values are those of the r x r core (teaching view of an adapter).
 */
export function productSingularValues(b: Mat, a: Mat): Float64Array {
  if (b.cols !== a.rows) throw new Error('productSingularValues: inner dimensions differ');
  const core = matmul(thinQr(b).r, transpose(thinQr(transpose(a)).r)); // [r, r]
  return jacobiSvd(core).s;
}
