import { describe, expect, it } from 'vitest';
import { compactUtcTime, fileSafe, runName } from '../../src/run/runName';

const START = new Date(Date.UTC(2026, 10, 28, 3, 47, 23, 456));

describe('runName', () => {
  it('joins dataset, method and UTC start time', () => {
    expect(runName('nih-sample', 'lora', START)).toBe('nih-sample-lora-20261128T034723Z');
    expect(runName('Kermany pneumonia 224', 'fft', START)).toBe('Kermany-pneumonia-224-fft-20261128T034723Z');
    expect(runName('x', 'linear', START)).toBe('x-linear-20261128T034723Z');
  });
  it('never contains characters some file system refuses', () => {
    const name = runName('CheXpert: v1.0/small\\train <a|b>? "q" *', 'lora', START);
    expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(name).toBe('CheXpert-v1.0-small-train-a-b-q-lora-20261128T034723Z');
  });
  it('falls back to "dataset" when nothing safe is left of the name', () => {
    expect(runName('   ', 'lora', START)).toBe('dataset-lora-20261128T034723Z');
    expect(runName('🫁🫁', 'lora', START)).toBe('dataset-lora-20261128T034723Z');
  });
});

describe('fileSafe', () => {
  it('drops accents, collapses separators, strips leading dots and dashes', () => {
    expect(fileSafe('Radiografías de tórax')).toBe('Radiografias-de-torax');
    expect(fileSafe('..hidden')).toBe('hidden');
    expect(fileSafe('a  --  b')).toBe('a-b');
    expect(fileSafe('Dataset of 2026-11-28')).toBe('Dataset-of-2026-11-28');
  });
  it('cuts long names without leaving a trailing dash', () => {
    const cut = fileSafe(`${'a'.repeat(59)} bbb`);
    expect(cut).toBe('a'.repeat(59));
    expect(fileSafe('x'.repeat(300)).length).toBe(60);
  });
});

describe('compactUtcTime', () => {
  it('is ISO 8601 basic format in UTC, whatever the local time zone', () => {
    expect(compactUtcTime(START)).toBe('20261128T034723Z');
    expect(compactUtcTime(new Date(Date.UTC(2027, 0, 1, 0, 0, 0)))).toBe('20270101T000000Z');
  });
});
