/**
 * Reading one label cell of an index CSV. Publishers write binary labels in several spellings:
 * CheXpert "1.0" / "0.0" / "-1.0" (uncertain) / "" (not mentioned), generic CSVs "1" / "0" / "true" / "no".
 */

export type CellMeaning = 'positive' | 'negative' | 'uncertain' | 'blank';

const SPELLINGS: Record<string, CellMeaning> = {
  '': 'blank',
  '1': 'positive',
  '1.0': 'positive',
  true: 'positive',
  yes: 'positive',
  y: 'positive',
  '0': 'negative',
  '0.0': 'negative',
  false: 'negative',
  no: 'negative',
  n: 'negative',
  '-1': 'uncertain',
  '-1.0': 'uncertain',
};

/** The meaning of a cell, or null when it is not a binary label value (reported by the caller, never guessed). */
export function readLabelCell(raw: string | undefined): CellMeaning | null {
  // Fast path for the exact spellings of CheXpert's 4 million cells; anything else is normalised first.
  switch (raw) {
    case '':
    case undefined:
      return 'blank';
    case '1.0':
      return 'positive';
    case '0.0':
      return 'negative';
    case '-1.0':
      return 'uncertain';
  }
  const key = (raw ?? '').trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(SPELLINGS, key) ? SPELLINGS[key] : null;
}
