import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { labelsFromFindings, NIH_LABELS, nihLayout } from '../../src/data/layouts/nih';
import { detectLayout } from '../../src/data/layouts/registry';
import { fakeFile } from './helpers';
import type { FileEntry } from '../../src/run/datasets';

const csvText = readFileSync('tests/fixtures/data/Data_Entry_2017_v2020.csv', 'utf8');
const imageNames = csvText.trim().split('\n').slice(1).map((line) => line.split(',')[0]);

function dataset(csv: string, images: string[], csvName = 'Data_Entry_2017_v2020.csv', extra: FileEntry[] = []): FileEntry[] {
  return [fakeFile(`nih/${csvName}`, csv), ...images.map((n) => fakeFile(`nih/images/${n}`)), ...extra];
}

describe('nih layout', () => {
  test('labels are the study 14 in its order', () => {
    expect([...NIH_LABELS]).toEqual([
      'Atelectasis', 'Cardiomegaly', 'Effusion', 'Infiltration', 'Mass', 'Nodule', 'Pneumonia', 'Pneumothorax',
      'Consolidation', 'Edema', 'Emphysema', 'Fibrosis', 'Pleural_Thickening', 'Hernia',
    ]);
    expect(labelsFromFindings('No Finding')).toEqual({ labels: new Array(14).fill(0), unknown: [] });
    expect(labelsFromFindings('Effusion|Hernia').labels).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(labelsFromFindings('Effusion|Covid').unknown).toEqual(['Covid']);
  });

  test('real NIH sample index: 212 images, 159 patients, the same prevalence as Python counted', async () => {
    const parsed = await nihLayout.parse(dataset(csvText, imageNames));
    expect(parsed.problems).toEqual([]);
    expect(parsed.labels).toHaveLength(14);
    expect(parsed.entries).toHaveLength(212);
    expect(new Set(parsed.entries.map((e) => e.patientId)).size).toBe(159);
    const positives = NIH_LABELS.map((_, j) => parsed.entries.filter((e) => e.labels[j] === 1).length);
    // csv.DictReader count of the same file (see tests/fixtures/data/SOURCE.md).
    expect(positives).toEqual([28, 5, 19, 37, 4, 2, 110, 3, 8, 17, 1, 0, 7, 2]);
    expect(parsed.entries.filter((e) => e.labels.every((v) => v === 0))).toHaveLength(102);
    const row = parsed.entries.find((e) => e.path === 'nih/images/00000211_018.png');
    expect(row).toMatchObject({ patientId: '211', labels: [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(parsed.entries.every((e) => e.split === undefined)).toBe(true);
    expect(parsed.notes[0]).toMatch(/212 images .* 159 patients/);
  });

  test('the older Data_Entry_2017.csv header (trailing empty column) works too', async () => {
    const lines = csvText.trim().split('\n');
    const older = [`${lines[0]},`, ...lines.slice(1, 6).map((l) => `${l},`)].join('\n');
    const parsed = await nihLayout.parse(dataset(older, imageNames.slice(0, 5), 'Data_Entry_2017.csv'));
    expect(parsed.entries).toHaveLength(5);
    expect(parsed.problems).toEqual([]);
  });

  test.each(['Image Index', 'Finding Labels', 'Patient ID'])('a missing %s column is named in the error', async (column) => {
    const lines = csvText.trim().split('\n');
    const header = lines[0].split(',');
    const drop = header.indexOf(column);
    const cut = lines.slice(0, 4).map((l) => l.split(',').filter((_, i) => i !== drop).join(',')).join('\n');
    await expect(nihLayout.parse(dataset(cut, imageNames.slice(0, 3)))).rejects.toThrow(`Data_Entry_2017_v2020.csv: missing column '${column}'`);
  });

  test('a few missing images are listed one by one; images without a row and unknown labels are problems', async () => {
    const lines = csvText.trim().split('\n');
    const csv = [...lines.slice(0, 6), '99999999_000.png,Covid,0,99999999,40,M,PA,2500,2048,0.1,0.1'].join('\n');
    const files = dataset(csv, [...imageNames.slice(0, 3), '99999999_000.png', '12345678_000.png']);
    const parsed = await nihLayout.parse(files);
    expect(parsed.entries).toHaveLength(3);
    const reasons = parsed.problems.map((p) => `${p.path}: ${p.reason}`);
    expect(reasons).toContain(`${imageNames[3]}: row in Data_Entry_2017_v2020.csv but no image with this name`);
    expect(reasons).toContain(`${imageNames[4]}: row in Data_Entry_2017_v2020.csv but no image with this name`);
    expect(reasons).toContain("nih/images/99999999_000.png: unknown label 'Covid' in Data_Entry_2017_v2020.csv");
    expect(reasons).toContain('nih/images/12345678_000.png: image has no row in Data_Entry_2017_v2020.csv');
  });

  test('a full index with few images present gives ONE summary problem, not a row per missing image', async () => {
    const parsed = await nihLayout.parse(dataset(csvText, imageNames.slice(0, 10)));
    expect(parsed.entries).toHaveLength(10);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].reason).toMatch(/^202 of 212 rows have no image in the folder/);
  });

  test('images anywhere below the root match by name; duplicates are reported', async () => {
    const files = [
      fakeFile('root/Data_Entry_2017_v2020.csv', csvText.trim().split('\n').slice(0, 3).join('\n')),
      fakeFile(`root/images_001/images/${imageNames[0]}`),
      fakeFile(`root/deep/er/${imageNames[1]}`),
      fakeFile(`root/copy/${imageNames[1]}`),
    ];
    const parsed = await nihLayout.parse(files);
    expect(parsed.entries.map((e) => e.path).sort()).toEqual([`root/deep/er/${imageNames[1]}`, `root/images_001/images/${imageNames[0]}`]);
    expect(parsed.problems).toEqual([{ path: `root/copy/${imageNames[1]}`, reason: expect.stringMatching(/^duplicate file name/) }]);
  });

  test('official split lists set test / train, val is carved from train_val by patient (seeded)', async () => {
    const testNames = imageNames.slice(0, 40);
    const lists = [fakeFile('nih/test_list.txt', testNames.join('\n') + '\n'), fakeFile('nih/train_val_list.txt', imageNames.slice(40).join('\r\n'))];
    const a = await nihLayout.parse(dataset(csvText, imageNames, undefined, lists), { seed: 3 });
    const b = await nihLayout.parse(dataset(csvText, imageNames, undefined, lists), { seed: 3 });
    expect(a.entries.map((e) => e.split)).toEqual(b.entries.map((e) => e.split));
    const splitOf = new Map(a.entries.map((e) => [e.path.split('/').pop()!, e.split]));
    for (const n of testNames) expect(splitOf.get(n)).toBe('test');
    const val = a.entries.filter((e) => e.split === 'val');
    const train = a.entries.filter((e) => e.split === 'train');
    expect(val.length).toBeGreaterThan(0);
    expect(val.length + train.length).toBe(172);
    const trainPatients = new Set(train.map((e) => e.patientId));
    expect(val.some((e) => trainPatients.has(e.patientId))).toBe(false);
  });

  test('without split lists, a train/ valid/ folder level (NIH1000) sets the split', async () => {
    const lines = csvText.trim().split('\n');
    const files = [
      fakeFile('NIH1000/Data_Entry_2017_v2020.csv', lines.slice(0, 3).join('\n')),
      fakeFile(`NIH1000/train/1_abnormal/${imageNames[0]}`),
      fakeFile(`NIH1000/valid/1_abnormal/${imageNames[1]}`),
    ];
    const parsed = await nihLayout.parse(files);
    expect(parsed.entries.map((e) => e.split)).toEqual(['train', 'val']);
  });

  test('detect: the index file wins over class folders (NIH1000 has both)', () => {
    const paths = ['NIH1000/Data_Entry_2017_v2020.csv', 'NIH1000/train/0_normal/00000013_005.png', 'NIH1000/train/1_abnormal/00000013_006.png'];
    expect(detectLayout(paths)?.id).toBe('nih');
    expect(nihLayout.detect(['a/b.png'])).toBe(0);
  });
});
