/**
 * One label's column out of a row-major multi-label evaluation ([n, numLabels] flattened, as the lab stores
 * scores, targets and masks), so that the per-label metrics can run on plain one-dimensional arrays.
 */

/** Rows in a flat [n, numLabels] array; throws when the length is not a whole number of rows. */
export function rowCount(values: ArrayLike<number>, numLabels: number): number {
  if (!Number.isInteger(numLabels) || numLabels < 1) throw new RangeError(`numLabels must be a positive integer, got ${numLabels}`);
  const n = values.length / numLabels;
  if (!Number.isInteger(n)) throw new RangeError(`${values.length} values are not whole rows of ${numLabels} labels`);
  return n;
}

/** values[:, label] of a row-major [n, numLabels] array. */
export function labelColumn(values: ArrayLike<number>, numLabels: number, label: number): Float64Array {
  const n = rowCount(values, numLabels);
  const column = new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = values[i * numLabels + label];
  return column;
}

/** Rows of a multi-label evaluation; throws unless scores, targets and mask (when given) hold the same whole rows. */
export function evaluationRows(
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  numLabels: number,
  mask?: ArrayLike<number>,
): number {
  checkSameLength(scores, targets, mask);
  return rowCount(scores, numLabels);
}

/** Throws unless one label's scores, targets and mask (when given) have the same length. */
export function checkSameLength(scores: ArrayLike<number>, targets: ArrayLike<number>, mask?: ArrayLike<number>): void {
  if (targets.length !== scores.length || (mask && mask.length !== scores.length)) {
    throw new RangeError(`scores (${scores.length}), targets (${targets.length}) and mask (${mask?.length ?? 'none'}) differ in length`);
  }
}
