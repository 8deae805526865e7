import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { nihLayout } from '../../src/data/layouts/nih';
import { assignSplits, carveValidation, selectFraction } from '../../src/data/splits';
import type { DatasetEntry } from '../../src/data/types';
import { fakeFile } from './helpers';
import type { Split } from '../../src/run/datasets';
import { hashString, mulberry32, shuffleInPlace } from '../../src/run/random';

function entries(n: number, patientsEvery = 3): DatasetEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `d/img${i}.png`,
    file: new Blob([]),
    labels: [i % 2 === 0 ? 1 : 0],
    patientId: patientsEvery > 0 ? `p${Math.floor(i / patientsEvery)}` : undefined,
  }));
}

function splitsByPath(list: DatasetEntry[]): Record<string, Split | undefined> {
  return Object.fromEntries(list.map((e) => [e.path, e.split]));
}

function expectPatientDisjoint(list: DatasetEntry[]): void {
  const splitOfPatient = new Map<string, Split>();
  for (const e of list) {
    if (e.patientId === undefined) continue;
    const seen = splitOfPatient.get(e.patientId);
    if (seen !== undefined) expect(`${e.patientId}:${e.split}`).toBe(`${e.patientId}:${seen}`);
    splitOfPatient.set(e.patientId, e.split!);
  }
}

describe('seeded randomness', () => {
  test('mulberry32 is deterministic, in [0, 1), and roughly uniform', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 20000 }, () => a());
    expect(Array.from({ length: 20000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const c = mulberry32(43);
    expect(c()).not.toBe(xs[0]);
  });

  test('shuffle is a permutation; hashString differs for near-identical strings', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = shuffleInPlace([...items], mulberry32(1));
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(hashString('a/b.png')).not.toBe(hashString('a/c.png'));
    expect(hashString('x', 0)).not.toBe(hashString('x', 1));
  });
});

describe('assignSplits', () => {
  test('random split: deterministic per seed, independent of input order, different across seeds', () => {
    const list = entries(300);
    const a = assignSplits(list, { seed: 7 });
    const b = assignSplits([...list].reverse(), { seed: 7 });
    const c = assignSplits(list, { seed: 8 });
    expect(splitsByPath(b.entries)).toEqual(splitsByPath(a.entries));
    expect(splitsByPath(c.entries)).not.toEqual(splitsByPath(a.entries));
    expect(list.every((e) => e.split === undefined)).toBe(true); // input untouched
    expect(a.notes.join(' ')).toMatch(/Random 70\/10\/20 split by patient, seed 7/);
  });

  test('random split is patient-disjoint and close to 70/10/20', () => {
    const { entries: out } = assignSplits(entries(3000, 3), { seed: 1 });
    expectPatientDisjoint(out);
    const count = (s: Split) => out.filter((e) => e.split === s).length;
    expect(count('train')).toBeGreaterThan(2050);
    expect(count('train')).toBeLessThan(2150);
    expect(count('val')).toBeGreaterThan(270);
    expect(count('val')).toBeLessThan(330);
    expect(count('train') + count('val') + count('test')).toBe(3000);
  });

  test('without patient ids every image is its own group', () => {
    const { entries: out } = assignSplits(entries(10, 0), { seed: 0, fractions: { train: 0.7, val: 0.1, test: 0.2 } });
    expect(out.map((e) => e.split).sort()).toEqual(['test', 'test', 'train', 'train', 'train', 'train', 'train', 'train', 'train', 'val']);
  });

  test('official train/val/test is kept unchanged', () => {
    const list = entries(30).map((e, i) => ({ ...e, split: (['train', 'val', 'test'] as Split[])[i % 3] }));
    const { entries: out, notes } = assignSplits(list, { seed: 5 });
    expect(out.map((e) => e.split)).toEqual(list.map((e) => e.split));
    expect(notes).toContain('Official split kept.');
  });

  test('train + test only: val is carved out of train by patient (share 0.1 / 0.8)', () => {
    const list = entries(800, 4).map((e, i) => ({ ...e, split: (i < 640 ? 'train' : 'test') as Split }));
    const { entries: out } = assignSplits(list, { seed: 2 });
    expectPatientDisjoint(out);
    expect(out.slice(640).every((e) => e.split === 'test')).toBe(true);
    const val = out.filter((e) => e.split === 'val').length;
    expect(val).toBeGreaterThanOrEqual(72);
    expect(val).toBeLessThanOrEqual(88);
  });

  test('train only: val is carved, test stays empty', () => {
    const list = entries(100, 2).map((e) => ({ ...e, split: 'train' as Split }));
    const { entries: out } = assignSplits(list, { seed: 2 });
    expect(out.some((e) => e.split === 'val')).toBe(true);
    expect(out.some((e) => e.split === 'test')).toBe(false);
    expectPatientDisjoint(out);
  });

  test('a split folder without train is ignored (random split instead), and loose images follow their patient', () => {
    const onlyTest = entries(50).map((e) => ({ ...e, split: 'test' as Split }));
    const r = assignSplits(onlyTest, { seed: 0 });
    expect(new Set(r.entries.map((e) => e.split))).toEqual(new Set(['train', 'val', 'test']));
    expect(r.notes[0]).toMatch(/no training images/);

    const mixed = entries(60, 3).map((e, i) => (i < 30 ? { ...e, split: (i < 15 ? 'train' : 'val') as Split } : e));
    // img30 moves to patient p9, whose official images (img27-29) are in val: it must follow them.
    mixed[30] = { ...mixed[30], patientId: 'p9' };
    const out = assignSplits(mixed, { seed: 0 }).entries;
    expect(out[30].split).toBe('val');
    expectPatientDisjoint(out);
  });

  test('bad fractions are refused', () => {
    expect(() => assignSplits(entries(3), { seed: 0, fractions: { train: 0.8, val: 0.3, test: 0 } })).toThrow(/sum to 1/);
  });

  test('real NIH sample (159 patients): seeded split is patient-disjoint and stable', async () => {
    const csv = readFileSync('tests/fixtures/data/Data_Entry_2017_v2020.csv', 'utf8');
    const names = csv.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    const parsed = await nihLayout.parse([fakeFile('n/Data_Entry_2017_v2020.csv', csv), ...names.map((n) => fakeFile(`n/images/${n}`))]);
    const a = assignSplits(parsed.entries, { seed: 11 }).entries;
    const b = assignSplits([...parsed.entries].reverse(), { seed: 11 }).entries;
    expect(splitsByPath(a)).toEqual(splitsByPath(b));
    expectPatientDisjoint(a);
    expect(a.filter((e) => e.split === 'val').length).toBeGreaterThan(5);
  });

  test('carveValidation leaves val and test alone', () => {
    const list = entries(40).map((e, i) => ({ ...e, split: (i < 20 ? 'train' : 'test') as Split }));
    const out = carveValidation(list, 0.5, mulberry32(0));
    expect(out.slice(20).every((e) => e.split === 'test')).toBe(true);
    expect(out.filter((e) => e.split === 'val').length).toBeGreaterThan(5);
  });
});

describe('selectFraction', () => {
  const keys = Array.from({ length: 78468 }, (_, i) => `images/${String(i).padStart(8, '0')}_000.png`);

  test('1 % of the NIH training split is 785 images, 10 % is 7,847 (the study numbers), nested and deterministic', () => {
    const one = selectFraction(keys, 0.01, 0);
    const ten = selectFraction(keys, 0.1, 0);
    expect(one).toHaveLength(785);
    expect(ten).toHaveLength(7847);
    const tenSet = new Set(ten);
    expect(one.every((k) => tenSet.has(k))).toBe(true);
    expect(selectFraction([...keys].reverse(), 0.01, 0).sort()).toEqual([...one].sort());
    expect(selectFraction(keys, 0.01, 1)).not.toEqual(one);
  });

  test('works on entries and stored images, keeps input order, refuses bad fractions', () => {
    const list = entries(50);
    const picked = selectFraction(list, 0.1, 3);
    expect(picked).toHaveLength(5);
    expect(picked.map((e) => list.indexOf(e))).toEqual([...picked.map((e) => list.indexOf(e))].sort((x, y) => x - y));
    expect(selectFraction([{ key: 'a' }, { key: 'b' }], 0.01, 0)).toHaveLength(1);
    expect(() => selectFraction(keys, 0, 0)).toThrow(/fraction/);
    expect(() => selectFraction(['a', 'a'], 0.5, 0)).toThrow(/unique/);
  });
});
