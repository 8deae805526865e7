import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { genericCsvLayout, suggestColumns } from '../../src/data/layouts/genericCsv';
import { FIXTURES, filesOfFolder, memoryFile } from './helpers';
import { readFileSync } from 'node:fs';

const DATASET = join(FIXTURES, 'generic', 'dataset');

describe('suggestColumns', () => {
  it('guesses path, binary label, patient and split columns from header and rows', () => {
    const header = ['image path', 'Patient', 'Age', 'Pneumonia', 'Effusion', 'split'];
    const rows = [
      { 'image path': 'a.png', Patient: 'p1', Age: '1', Pneumonia: '1', Effusion: '', split: 'train' },
      { 'image path': 'b.png', Patient: 'p2', Age: '0', Pneumonia: '0', Effusion: '1.0', split: 'test' },
    ];
    expect(suggestColumns(header, rows)).toEqual({
      pathColumn: 'image path', patientColumn: 'Patient', splitColumn: 'split', labelListColumn: undefined, labelColumns: ['Pneumonia', 'Effusion'],
    });
  });

  it("recognises NIH's '|'-joined findings column", () => {
    const s = suggestColumns(['Image Index', 'Finding Labels', 'Patient ID'], [
      { 'Image Index': '00000001_000.png', 'Finding Labels': 'Cardiomegaly|Emphysema', 'Patient ID': '1' },
    ]);
    expect(s).toMatchObject({ pathColumn: 'Image Index', labelListColumn: 'Finding Labels', patientColumn: 'Patient ID', labelColumns: [] });
  });
});

describe('generic CSV layout on a folder with bad rows and files', () => {
  it('ingests the good rows and lists every bad one with a reason', async () => {
    const files = await filesOfFolder(DATASET);
    expect(genericCsvLayout.detect(files.map((f) => f.path))).toBe(1);
    const parsed = await genericCsvLayout.parse(files);
    expect(parsed.labels).toEqual(['Pneumonia', 'Effusion']);
    expect(parsed.entries.map((e) => [e.path, e.labels, e.patientId])).toEqual([
      ['dataset/images/ünïcode folder/IM 0001 ä.jpeg', [1, 0], 'p1'],
      ['dataset/images/a/IM-0002.jpeg', [0, 1], 'p2'],
      ['dataset/images/b/IM-0004.jpeg', [-1, 0], 'p6'],
    ]);
    expect(parsed.problems).toEqual([
      { path: 'images/a/IM-0003.jpeg', reason: "unknown label value 'maybe' in column 'Pneumonia' (dataset/labels.csv row 5)" },
      { path: 'same-name.jpeg', reason: 'several files match: dataset/images/a/same-name.jpeg, dataset/images/b/same-name.jpeg' },
      { path: 'images/missing.jpeg', reason: 'CSV row has no image in the dropped folder' },
      { path: 'dataset/images/a/IM-0003.jpeg', reason: 'image has no row in labels.csv' },
      { path: 'dataset/images/a/same-name.jpeg', reason: 'image has no row in labels.csv' },
      { path: 'dataset/images/b/no-row.jpeg', reason: 'image has no row in labels.csv' },
      { path: 'dataset/images/b/same-name.jpeg', reason: 'image has no row in labels.csv' },
    ]);
  });

  it('names a missing chosen column', async () => {
    const files = [memoryFile('d/labels.csv', readFileSync(join(FIXTURES, 'generic', 'missing_column.csv'))), memoryFile('d/images/a/IM-0002.jpeg')];
    await expect(genericCsvLayout.parse(files, { pathColumn: 'image path', labelColumns: ['Pneumonia', 'Effusion'] })).rejects.toThrow(
      "d/labels.csv: missing column 'Effusion'",
    );
  });

  it('reads a findings-list column with a fixed vocabulary; an unknown finding is a problem row', async () => {
    const images = (await filesOfFolder(DATASET)).filter((f) => f.path.endsWith('.jpeg'));
    const csv = memoryFile('dataset/findings.csv', readFileSync(join(FIXTURES, 'generic', 'findings.csv')));
    const parsed = await genericCsvLayout.parse([csv, ...images], { labelNames: ['Effusion', 'Pneumonia'] });
    expect(parsed.entries.map((e) => [e.path, e.labels, e.patientId])).toEqual([
      ['dataset/images/a/IM-0002.jpeg', [1, 1], '2'],
      ['dataset/images/a/IM-0003.jpeg', [0, 0], '3'],
    ]);
    expect(parsed.problems[0]).toEqual({ path: 'images/b/IM-0004.jpeg', reason: "unknown label 'Alien' in column 'Finding Labels' (dataset/findings.csv row 3)" });
  });
});
