import { describe, expect, it } from 'vitest';
import { aurocByFractionSeries, resultsTable } from '../../src/run/resultsTable';
import {
  aurocAxisDomain,
  aurocAxisTicks,
  aurocByFractionSummary,
  costTexts,
  fractionAxis,
  fractionChartRows,
  intervalText,
  meanSdText,
  paramsText,
  rowsByFraction,
  seedsText,
  versusWords,
} from '../../src/ui/view/resultsCells';
import { fakeRun, LABELS, score, studyRuns } from '../run/resultsFixtures';

const table = resultsTable(studyRuns());
const [lora1, fft1, , lora100, fft100, linear100] = table.rows;

describe('results table cells', () => {
  it('print mean ± sd, a lone seed without sd, and n/a without a score', () => {
    expect(meanSdText(lora1.macroAuroc)).toBe('0.720 ± 0.028');
    expect(meanSdText(linear100.macroAuroc)).toBe('0.750');
    expect(meanSdText({ mean: null, sd: null })).toBe('n/a');
  });
  it('say what a row does not count', () => {
    expect(seedsText(lora1)).toBe('2');
    expect(seedsText(linear100)).toBe('1 (1 unscored)');
    const dup = resultsTable([
      fakeRun({ id: 'a', method: 'lora', seed: 0, test: score({ [LABELS[0]]: 0.7 }), updatedAt: '2026-12-01' }),
      fakeRun({ id: 'b', method: 'lora', seed: 0, test: score({ [LABELS[0]]: 0.8 }), updatedAt: '2026-12-02' }),
    ]);
    expect(seedsText(dup.rows[0])).toBe('1 (1 replaced by a later run)');
    expect(seedsText({ ...lora1, expected: 3, missing: 1, unscored: 0 })).toBe('2 of 3 (1 not started)');
  });
  it('print intervals, parameters and costs in the page’s formats', () => {
    expect(intervalText(lora1.intervals[0])).toBe('seed 0: 0.670–0.730');
    expect(paramsText(lora1)).toBe('1,000 (0.990%)');
    expect(costTexts(lora1)).toEqual({ optimizerState: '8.0 kB', msPerStep: '112.5', imagesPerSec: '72', wallTime: '1 min 03 s' });
    expect(costTexts(fft1).msPerStep).toBe('n/a');
  });
  it('put the better/tie mark into words', () => {
    expect(versusWords(lora1)).toBe('better than full fine-tuning at 1 %');
    expect(versusWords(fft100)).toBe('better than LoRA at 100 %');
    expect(versusWords(lora100)).toBeNull();
    expect(versusWords({ ...lora1, versus: 'tie' })).toBe('tie with full fine-tuning at 1 %');
  });
  it('group rows by fraction', () => {
    expect(rowsByFraction(table).map((g) => [g.fractionLabel, g.rows.map((r) => r.method)])).toEqual([
      ['1 %', ['lora', 'fft', 'linear']],
      ['100 %', ['lora', 'fft', 'linear']],
    ]);
  });
});

describe('the macro AUROC by fraction chart', () => {
  const series = aurocByFractionSeries(table);
  it('draws the seeds’ range as an error bar relative to the mean', () => {
    const [a, b] = fractionChartRows(series[0])[0].spread;
    expect(a).toBeCloseTo(0.02, 12);
    expect(b).toBeCloseTo(0.02, 12);
  });
  it('ticks the fractions present on a padded log axis, and rounds the y range out to 0.05', () => {
    expect(fractionAxis(series)).toEqual({ ticks: [0.01, 1], domain: [0.01 / 1.5, 1.5] });
    // lowest seed 0.60, highest 0.85: padded by 0.01 and rounded out to 0.05
    expect(aurocAxisDomain(series)).toEqual([0.55, 0.9]);
    expect(fractionAxis([])).toEqual({ ticks: [], domain: [0.01, 1] });
    expect(aurocAxisDomain([])).toEqual([0, 1]);
    expect(aurocAxisTicks([0.55, 0.9])).toEqual([0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]);
    expect(aurocAxisTicks([0.3, 1])).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(aurocAxisTicks([0, 1])).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
  it('says the numbers in words', () => {
    expect(aurocByFractionSummary(series)).toBe(
      'LoRA: 1 % 0.720 ± 0.028 (2 seeds), 100 % 0.810 ± 0.014 (2 seeds). Full fine-tuning: 1 % 0.700 ± 0.014 (2 seeds), 100 % 0.840 ± 0.014 (2 seeds). Linear probe: 1 % 0.620 ± 0.028 (2 seeds), 100 % 0.750 (1 seed).',
    );
    expect(aurocByFractionSummary([])).toBe('No run scored on the test split yet.');
  });
});
