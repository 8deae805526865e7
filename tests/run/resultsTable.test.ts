import { describe, expect, it } from 'vitest';
import { expandGrid, type GridRecord, type GridSpec } from '../../src/run/grid';
import { aurocByFractionSeries, resultsTable, winsLine, type ResultsRow } from '../../src/run/resultsTable';
import { sampleSd, summarizeSeeds } from '../../src/run/summaryStats';
import { fakeRun, LABELS, score, studyRuns } from './resultsFixtures';

const [A, E] = LABELS;
const row = (rows: ResultsRow[], method: string, fractionLabel: string) => {
  const found = rows.find((r) => r.method === method && r.fractionLabel === fractionLabel);
  if (!found) throw new Error(`no row ${method} ${fractionLabel}`);
  return found;
};

describe('summaryStats', () => {
  it('sample sd (n - 1) matches numpy.std(ddof=1)', () => {
    // numpy.std([0.71, 0.74, 0.80], ddof=1) = 0.04582575694955844: mean 0.75, squares 0.0016 + 0.0001 + 0.0025 = 0.0042, / 2, sqrt.
    expect(sampleSd([0.71, 0.74, 0.8])).toBeCloseTo(0.04582575694955844, 14);
    // numpy.std([1e8 + 0.5, 1e8 + 0.6, 1e8 + 0.7], ddof=1) = 0.10000000149011695 (two passes keep the digits).
    expect(sampleSd([1e8 + 0.5, 1e8 + 0.6, 1e8 + 0.7])).toBeCloseTo(0.10000000149011695, 9);
  });
  it('one value has a mean but no sd; none has neither', () => {
    expect(summarizeSeeds([0.7])).toEqual({ n: 1, mean: 0.7, sd: null, min: 0.7, max: 0.7 });
    expect(summarizeSeeds([])).toEqual({ n: 0, mean: null, sd: null, min: null, max: null });
  });
});

describe('resultsTable on 3 methods x 2 fractions x 2 seeds', () => {
  const table = resultsTable(studyRuns().reverse());

  it('has one row per method x fraction, ordered by fraction then LoRA, FFT, linear probe', () => {
    expect(table.rows.map((r) => `${r.fractionLabel} ${r.method}`)).toEqual(['1 % lora', '1 % fft', '1 % linear', '100 % lora', '100 % fft', '100 % linear']);
    expect(table.labels).toEqual(LABELS);
    expect(table.datasets).toEqual([{ id: 'ds1', name: 'Demo set' }]);
  });

  it('gives mean and sample sd of the test macro AUROC over seeds', () => {
    const lora = row(table.rows, 'lora', '1 %');
    expect(lora.seeds).toEqual([0, 1]);
    expect(lora.macroAuroc.n).toBe(2);
    expect(lora.macroAuroc.mean).toBeCloseTo(0.72, 12);
    // numpy.std([0.70, 0.74], ddof=1) = 0.028284271247461926 (= 0.04 / sqrt 2)
    expect(lora.macroAuroc.sd).toBeCloseTo(0.028284271247461926, 12);
    expect(lora.macroAuroc.min).toBeCloseTo(0.7, 12);
    expect(lora.macroAuroc.max).toBeCloseTo(0.74, 12);
    // numpy.std([0.69, 0.71], ddof=1) = 0.014142135623730963
    expect(row(table.rows, 'fft', '1 %').macroAuroc.sd).toBeCloseTo(0.014142135623730963, 12);
    expect(row(table.rows, 'fft', '100 %').macroAuroc.mean).toBeCloseTo(0.84, 12);
  });

  it('leaves an undefined label AUROC out of that label mean and keeps the count', () => {
    const lora = row(table.rows, 'lora', '1 %');
    expect(lora.auroc[0]).toEqual({ label: A, n: 2, mean: expect.closeTo(0.71, 12) });
    expect(lora.auroc[1]).toEqual({ label: E, n: 1, mean: expect.closeTo(0.72, 12) });
    expect(lora.ece[0]).toEqual({ label: A, n: 2, mean: expect.closeTo(0.05, 12) });
    expect(lora.meanEce).toEqual({ n: 2, mean: expect.closeTo(0.06, 12) });
  });

  it('counts an unscored run and reports one seed without an sd', () => {
    const linear = row(table.rows, 'linear', '100 %');
    expect(linear).toMatchObject({ runs: 2, scored: 1, unscored: 1, superseded: 0, expected: null, missing: null, seeds: [0] });
    expect(linear.macroAuroc).toEqual({ n: 1, mean: expect.closeTo(0.75, 12), sd: null, min: expect.closeTo(0.75, 12), max: expect.closeTo(0.75, 12) });
    expect(linear.runIds).toHaveLength(2);
    expect(linear.countedRunIds).toEqual(['linear-1-0']);
    expect(linear.versus).toBeNull();
  });

  it('lists each counted run’s bootstrap interval', () => {
    const lora = row(table.rows, 'lora', '1 %');
    expect(lora.intervals.map((i) => [i.seed, i.lo, i.hi, i.resamples])).toEqual([
      [0, expect.closeTo(0.67, 12), expect.closeTo(0.73, 12), 1000],
      [1, expect.closeTo(0.71, 12), expect.closeTo(0.77, 12), 1000],
    ]);
  });

  it('averages the costs; the trainable share is 100 x mean trainable / mean total', () => {
    const lora = row(table.rows, 'lora', '1 %');
    expect(lora.params).toEqual({ n: 2, trainable: 1000, total: 101_000, trainablePercent: expect.closeTo(100_000 / 101_000, 12) });
    expect(lora.optimizerStateBytes).toEqual({ n: 2, mean: 8000 });
    expect(lora.msPerStep).toEqual({ n: 2, mean: 112.5 });
    // images/s = 8000 / ms: (80 + 64) / 2
    expect(lora.imagesPerSec).toEqual({ n: 2, mean: 72 });
    expect(lora.wallMs).toEqual({ n: 2, mean: 63_000 });
    // FFT runs carry no resource sample: no mean, n 0
    expect(row(table.rows, 'fft', '1 %').msPerStep).toEqual({ n: 0, mean: null });
    expect(row(table.rows, 'fft', '1 %').params.trainablePercent).toBe(100);
  });

  it('marks the better of LoRA and FFT per fraction and counts the wins', () => {
    expect(table.rows.map((r) => r.versus)).toEqual(['better', 'worse', null, 'worse', 'better', null]);
    expect(table.comparisons.map((c) => [c.fractionLabel, c.winner])).toEqual([
      ['1 %', 'lora'],
      ['100 %', 'fft'],
    ]);
    expect(table.wins).toEqual({ compared: 2, lora: 1, fft: 1, ties: 0, notCompared: [] });
    expect(table.winsLine).toBe('LoRA won 1 of 2 fractions; full fine-tuning won 1; 0 ties.');
  });

  it('gives the chart one series per method with each fraction’s mean, range and sd', () => {
    const series = aurocByFractionSeries(table);
    expect(series.map((s) => s.method)).toEqual(['lora', 'fft', 'linear']);
    expect(series[0].points).toEqual([
      { fraction: 0.01, fractionLabel: '1 %', n: 2, mean: expect.closeTo(0.72, 12), sd: expect.closeTo(0.028284271247461926, 12), min: expect.closeTo(0.7, 12), max: expect.closeTo(0.74, 12) },
      { fraction: 1, fractionLabel: '100 %', n: 2, mean: expect.closeTo(0.81, 12), sd: expect.closeTo(0.014142135623730885, 12), min: expect.closeTo(0.8, 12), max: expect.closeTo(0.82, 12) },
    ]);
    expect(series[2].points[1]).toMatchObject({ fraction: 1, n: 1, sd: null });
  });
});

describe('ties, unscored comparisons, repeated seeds', () => {
  it('a tie marks both rows "tie", neither better, and is counted apart', () => {
    const runs = [
      fakeRun({ method: 'lora', seed: 0, test: score({ [A]: 0.8, [E]: 0.8 }) }),
      fakeRun({ method: 'fft', seed: 0, test: score({ [A]: 0.8, [E]: 0.8 }) }),
    ];
    const table = resultsTable(runs);
    expect(table.rows.map((r) => r.versus)).toEqual(['tie', 'tie']);
    expect(table.wins).toMatchObject({ compared: 1, lora: 0, fft: 0, ties: 1 });
    expect(table.winsLine).toBe('LoRA won 0 of 1 fraction; full fine-tuning won 0; 1 tie.');
  });

  it('the default tolerance only absorbs float noise; a wider one is an option', () => {
    const pair = (lora: number, fft: number) => [fakeRun({ method: 'lora', seed: 0, test: score({ [A]: lora }) }), fakeRun({ method: 'fft', seed: 0, test: score({ [A]: fft }) })];
    expect(resultsTable(pair(0.8, 0.8 + 1e-12)).comparisons[0].winner).toBe('tie');
    expect(resultsTable(pair(0.8, 0.8001)).comparisons[0].winner).toBe('fft');
    expect(resultsTable(pair(0.8, 0.8001), { tieTolerance: 0.001 }).comparisons[0].winner).toBe('tie');
  });

  it('a fraction where FFT has no score yet is not compared, and the line says so', () => {
    const runs = [
      fakeRun({ method: 'lora', fraction: 0.1, seed: 0, test: score({ [A]: 0.8 }) }),
      fakeRun({ method: 'fft', fraction: 0.1, seed: 0 }),
      fakeRun({ method: 'lora', seed: 0, test: score({ [A]: 0.9 }) }),
      fakeRun({ method: 'fft', seed: 0, test: score({ [A]: 0.85 }) }),
    ];
    const table = resultsTable(runs);
    expect(table.wins).toEqual({ compared: 1, lora: 1, fft: 0, ties: 0, notCompared: ['10 %'] });
    expect(row(table.rows, 'fft', '10 %')).toMatchObject({ runs: 1, scored: 0, unscored: 1, versus: null, macroAuroc: { n: 0, mean: null, sd: null } });
    expect(row(table.rows, 'lora', '10 %').versus).toBeNull();
    expect(table.winsLine).toBe('LoRA won 1 of 1 fraction; full fine-tuning won 0; 0 ties. Not compared (LoRA or full fine-tuning has no score): 10 %.');
    expect(winsLine({ compared: 0, lora: 0, fft: 0, ties: 0, notCompared: [] })).toBe('LoRA and full fine-tuning are not both scored at any label fraction yet.');
  });

  it('a run scored without a macro AUROC counts as scored but not in the mean', () => {
    const table = resultsTable([
      fakeRun({ method: 'lora', seed: 0, test: score({ [A]: null, [E]: null }) }),
      fakeRun({ method: 'lora', seed: 1, test: score({ [A]: 0.7, [E]: 0.9 }) }),
    ]);
    expect(table.rows[0]).toMatchObject({ scored: 2, macroAuroc: { n: 1, mean: expect.closeTo(0.8, 12), sd: null } });
    expect(table.rows[0].auroc.map((a) => a.n)).toEqual([1, 1]);
  });

  it('keeps one scored run per seed (the latest) and counts the one it replaced', () => {
    const table = resultsTable([
      fakeRun({ id: 'old', method: 'lora', seed: 0, test: score({ [A]: 0.6 }), updatedAt: '2026-12-01T01:00:00.000Z' }),
      fakeRun({ id: 'new', method: 'lora', seed: 0, test: score({ [A]: 0.8 }), updatedAt: '2026-12-02T01:00:00.000Z' }),
    ]);
    expect(table.rows[0]).toMatchObject({ runs: 2, scored: 1, superseded: 1, countedRunIds: ['new'], macroAuroc: { n: 1, mean: 0.8 } });
  });

  it('filters by dataset, and lists the datasets a mixed set of runs comes from', () => {
    const runs = [fakeRun({ method: 'lora', seed: 0, test: score({ [A]: 0.8 }) }), fakeRun({ id: 'x', method: 'lora', seed: 1, datasetId: 'ds2', test: score({ [A]: 0.4 }) })];
    expect(resultsTable(runs).datasets.map((d) => d.id)).toEqual(['ds1', 'ds2']);
    const one = resultsTable(runs, { datasetId: 'ds1' });
    expect(one.rows[0].macroAuroc).toMatchObject({ n: 1, mean: 0.8 });
  });

  it('is empty (no rows, nothing compared) without runs', () => {
    const table = resultsTable([]);
    expect(table.rows).toEqual([]);
    expect(table.wins.compared).toBe(0);
    expect(aurocByFractionSeries(table)).toEqual([]);
  });
});

describe('with a grid', () => {
  const spec: GridSpec = {
    name: 'g',
    datasetId: 'ds1',
    methods: ['lora', 'fft'],
    fractions: [0.1, 1],
    seeds: [0, 1, 2],
    ranks: {},
    recipe: 'mrm-sgd',
    base: (() => {
      const { datasetId: _d, method: _m, seed: _s, trainFraction: _f, ...base } = fakeRun({ method: 'lora', seed: 0 }).config;
      return base;
    })(),
  };
  const grid: GridRecord = {
    id: 'grid-1',
    spec,
    cells: expandGrid(spec),
    runIds: [],
    current: 0,
    status: 'running',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
  };

  it('counts the seeds each row expects, those not started and those unscored, and keeps only the grid’s runs', () => {
    const runs = [
      fakeRun({ method: 'lora', fraction: 0.1, seed: 0, gridId: 'grid-1', test: score({ [A]: 0.7 }) }),
      fakeRun({ method: 'lora', fraction: 0.1, seed: 1, gridId: 'grid-1' }),
      fakeRun({ id: 'elsewhere', method: 'lora', fraction: 0.1, seed: 2, gridId: 'other', test: score({ [A]: 0.9 }) }),
    ];
    const table = resultsTable(runs, { grid });
    expect(table.gridId).toBe('grid-1');
    expect(table.rows.map((r) => `${r.fractionLabel} ${r.method} ${r.scored}/${r.expected} missing ${r.missing} unscored ${r.unscored}`)).toEqual([
      '10 % lora 1/3 missing 1 unscored 1',
      '10 % fft 0/3 missing 3 unscored 0',
      '100 % lora 0/3 missing 3 unscored 0',
      '100 % fft 0/3 missing 3 unscored 0',
    ]);
    expect(table.rows[0].macroAuroc.mean).toBe(0.7);
  });
});
