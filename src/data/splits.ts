/**
 * Seeded, patient-disjoint train/val/test splits and label-fraction subsets.
 * Everything is a pure function of (entries, seed): the input order never matters because groups are sorted
 * by key before they are shuffled.
 */
import type { DatasetEntry } from './types';
import type { Split } from '../run/datasets';
import { shuffleInPlace, mulberry32 } from '../run/random';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { train: 0.7, val: 0.1, test: 0.2 };

export interface SplitOptions {
  seed: number;
  fractions?: SplitFractions;
}

export interface SplitResult {
  /** Copies of the input entries, each with `split` set. */
  entries: DatasetEntry[];
  /** What was done, for the user ("No official split: random 70/10/20 by patient, seed 0"). */
  notes: string[];
}

function validateFractions(f: SplitFractions): void {
  const values = [f.train, f.val, f.test];
  if (values.some((v) => !(v >= 0)) || Math.abs(values[0] + values[1] + values[2] - 1) > 1e-6) {
    throw new Error(`split fractions must be >= 0 and sum to 1, got ${JSON.stringify(f)}`);
  }
}

/** Images of one patient travel together; images without a patient id are their own group. */
function groupKey(entry: DatasetEntry): string {
  return entry.patientId !== undefined ? `patient:${entry.patientId}` : `image:${entry.path}`;
}

function groupsOf(entries: DatasetEntry[]): DatasetEntry[][] {
  const groups = new Map<string, DatasetEntry[]>();
  for (const e of entries) {
    const key = groupKey(e);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!);
}

/**
 * Shuffles groups and walks them in order, placing each group where the midpoint of its images falls on the
 * cumulative fraction line: group sizes vary, this keeps every split close to its target image count.
 */
function splitGroupsRandomly(groups: DatasetEntry[][], fractions: SplitFractions, random: () => number): Map<DatasetEntry, Split> {
  const order = shuffleInPlace([...groups], random);
  const total = groups.reduce((n, g) => n + g.length, 0);
  const result = new Map<DatasetEntry, Split>();
  let seen = 0;
  for (const group of order) {
    const position = (seen + group.length / 2) / total;
    const split: Split = position < fractions.train ? 'train' : position < fractions.train + fractions.val ? 'val' : 'test';
    for (const e of group) result.set(e, split);
    seen += group.length;
  }
  return result;
}

function describeFractions(f: SplitFractions): string {
  return [f.train, f.val, f.test].map((v) => Math.round(v * 100)).join('/');
}

/**
 * Keeps official splits; otherwise splits at random by patient (seeded). When the official split has train
 * (and maybe test) but no val, val is carved out of train by patient with the share val / (train + val).
 * Entries without a split inside a dataset that has one follow their patient's split when it has one.
 */
export function assignSplits(entries: DatasetEntry[], options: SplitOptions): SplitResult {
  const fractions = options.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  validateFractions(fractions);
  const random = mulberry32(options.seed);
  const notes: string[] = [];
  const official = entries.filter((e) => e.split !== undefined);
  const hasTrain = official.some((e) => e.split === 'train');

  if (!hasTrain) {
    if (official.length > 0) notes.push(`The folder's split has no training images: ignored, split at random instead.`);
    const assigned = splitGroupsRandomly(groupsOf(entries), fractions, random);
    const anyPatient = entries.some((e) => e.patientId !== undefined);
    notes.push(`Random ${describeFractions(fractions)} split${anyPatient ? ' by patient' : ''}, seed ${options.seed}.`);
    return { entries: entries.map((e) => ({ ...e, split: assigned.get(e)! })), notes };
  }

  const patientSplit = new Map<string, Split>();
  for (const e of official) if (e.patientId !== undefined) patientSplit.set(e.patientId, e.split!);
  let result = entries.map((e) => ({ ...e }));
  const loose = result.filter((e) => e.split === undefined);
  if (loose.length > 0) {
    const stillLoose = loose.filter((e) => {
      const known = e.patientId !== undefined ? patientSplit.get(e.patientId) : undefined;
      if (known) e.split = known;
      return !known;
    });
    const assigned = splitGroupsRandomly(groupsOf(stillLoose), fractions, random);
    for (const e of stillLoose) e.split = assigned.get(e)!;
    notes.push(`${loose.length} images outside the official split were assigned by patient or at random.`);
  }

  if (!result.some((e) => e.split === 'val')) {
    const valShare = fractions.val / (fractions.train + fractions.val);
    result = carveValidation(result, valShare, random);
    notes.push(`No validation split: ${Math.round(valShare * 1000) / 10} % of train carved out as val, by patient, seed ${options.seed}.`);
  } else {
    notes.push('Official split kept.');
  }
  return { entries: result, notes };
}

/** Moves about `share` of the train images (whole patients) to val. Returns copies; other splits untouched. */
export function carveValidation(entries: DatasetEntry[], share: number, random: () => number): DatasetEntry[] {
  const out = entries.map((e) => ({ ...e }));
  const train = out.filter((e) => e.split === 'train');
  const assigned = splitGroupsRandomly(groupsOf(train), { train: 1 - share, val: share, test: 0 }, random);
  for (const e of train) e.split = assigned.get(e)!;
  return out;
}

type Keyed = string | { key: string } | { path: string };

function keyOf(item: Keyed): string {
  if (typeof item === 'string') return item;
  return 'key' in item ? item.key : item.path;
}

/**
 * A deterministic subset of `fraction` of the items (the study's 1 % / 10 % label fractions are random per
 * image: NIH 785 of 78,468 = round(0.01 n)). Subsets of one seed are nested: the 1 % set lies inside the 10 % set.
 * Returned in input order.
 */
export function selectFraction<T extends Keyed>(items: T[], fraction: number, seed: number): T[] {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  const keys = items.map(keyOf);
  if (new Set(keys).size !== keys.length) throw new Error('selectFraction: keys must be unique');
  const order = shuffleInPlace([...keys].sort(), mulberry32(seed));
  const count = Math.max(1, Math.round(fraction * items.length));
  const chosen = new Set(order.slice(0, count));
  return items.filter((item) => chosen.has(keyOf(item)));
}
