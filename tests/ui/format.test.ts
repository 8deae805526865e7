import { describe, expect, it } from 'vitest';
import { fileTimestamp, formatAuroc, formatCount, formatDuration, formatMetric, formatParamStatus, formatPercent, formatRate } from '../../src/ui/view/format';

describe('formatParamStatus (page contract)', () => {
  it('writes the study ViT-B/16 LoRA r=8 count with en-US separators and 3 decimals', () => {
    expect(formatParamStatus({ trainable: 307_214, total: 86_104_334 })).toBe('Trainable parameters: 307,214 of 86,104,334 (0.357%)');
  });
  it('rounds the percentage, not truncates (r=4: 159,758 of 85,956,878 = 0.18586%)', () => {
    expect(formatParamStatus({ trainable: 159_758, total: 85_956_878 })).toBe('Trainable parameters: 159,758 of 85,956,878 (0.186%)');
  });
  it('full fine-tuning is 100.000%', () => {
    expect(formatParamStatus({ trainable: 5_000, total: 5_000 })).toBe('Trainable parameters: 5,000 of 5,000 (100.000%)');
  });
});

describe('number formatting', () => {
  it('groups thousands regardless of the machine locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(112_120)).toBe('112,120');
  });
  it('percent of an empty total is 0, not NaN', () => {
    expect(formatPercent(3, 0)).toBe('0.000');
    expect(formatPercent(1, 3, 1)).toBe('33.3');
  });
  it('durations', () => {
    expect(formatDuration(Number.NaN)).toBe('unknown');
    expect(formatDuration(-1)).toBe('unknown');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('unknown');
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(65)).toBe('1 min 05 s');
    expect(formatDuration(2 * 3600 + 7 * 60 + 10)).toBe('2 h 07 min');
  });
  it('rates keep a decimal when slow', () => {
    expect(formatRate(0)).toBe('0');
    expect(formatRate(3.14)).toBe('3.1');
    expect(formatRate(1234.4)).toBe('1,234');
  });
  it('an undefined AUROC is n/a, never 0.5', () => {
    expect(formatAuroc(null)).toBe('n/a');
    expect(formatAuroc(undefined)).toBe('n/a');
    expect(formatAuroc(Number.NaN)).toBe('n/a');
    expect(formatAuroc(0.5)).toBe('0.500');
    expect(formatAuroc(1)).toBe('1.000');
  });
  it('metrics keep 4 significant digits and switch to exponent form when tiny', () => {
    expect(formatMetric(0.693147)).toBe('0.6931');
    expect(formatMetric(0.05)).toBe('0.05');
    expect(formatMetric(1.5e-5)).toBe('1.50e-5');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(null)).toBe('n/a');
  });
  it('file timestamps have no colons or dots', () => {
    expect(fileTimestamp(new Date(Date.UTC(2026, 10, 28, 3, 47, 23, 5)))).toBe('2026-11-28T03-47-23-005Z');
  });
});
