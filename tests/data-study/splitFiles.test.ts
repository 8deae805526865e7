import { describe, expect, it } from 'vitest';
import {
  applySplitSet, chooseSplitSet, parseSplitList, splitDatasetKind, splitFilesLayout, splitListLine,
} from '../../src/data/layouts/splitFiles';
import type { ParsedDataset } from '../../src/data/types';
import { memoryFile, realIndexFile, textOfGz } from './helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';

function firstLines(dataset: string, name: string, count: number): string {
  return textOfGz(realIndexFile('medpeft-splits', dataset, `${name}.txt.gz`)).split('\n').slice(0, count).join('\n') + '\n';
}

describe('split list lines', () => {
  it('takes the trailing 0/1 tokens as labels, so paths may hold spaces', () => {
    expect(splitListLine('stage_2_train_images/f1d1.dcm 0 ')).toEqual({ path: 'stage_2_train_images/f1d1.dcm', values: ['0'] });
    expect(splitListLine('my scans/a  b 1.png 1 0')).toEqual({ path: 'my scans/a  b 1.png', values: ['1', '0'] });
    expect(splitListLine('00000003_000.png')).toBeNull();
  });

  it('reports malformed lines and recognises NIH-style label-less lists', () => {
    const list = parseSplitList('a.png 0 1\nb.png 0\nc.png 2 0\n', 'train_1.txt');
    expect(list.lines).toEqual([{ path: 'a.png', labels: [0, 1] }]);
    expect(list.problems.map((p) => p.reason)).toEqual(['1 labels where the first line has 2', "labels must be 0 or 1, got '2 0'"]);
    expect(parseSplitList('00000003_000.png\n00000003_001.png\n', 'test_list.txt').unlabelled).toBe(true);
  });

  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('knows the dataset from the path form of the real lists', () => {
    const kind = (d: string) => splitDatasetKind(parseSplitList(firstLines(d, 'val_list', 50), 'val_list.txt').lines.map((l) => l.path));
    expect([kind('NIH_ChestX-ray'), kind('CheXpert'), kind('RSNA_Pneumonia')]).toEqual(['nih', 'chexpert', 'rsna']);
  });
});

describe('split-files layout', () => {
  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('selects exactly the listed NIH images with the lists\' labels; listed-but-missing is one summary', async () => {
    const train1 = firstLines('NIH_ChestX-ray', 'train_1', 785);
    const val = firstLines('NIH_ChestX-ray', 'val_list', 11_219);
    const trainPaths = parseSplitList(train1, 'train_1.txt').lines.slice(0, 3);
    const valPath = parseSplitList(val, 'val_list.txt').lines[0];
    const files = [
      memoryFile('nih/train_1.txt', train1),
      memoryFile('nih/val_list.txt', val),
      memoryFile('nih/test_list.txt', '00000003_000.png\n'), // NIH's own list: names only
      ...trainPaths.map((l) => memoryFile(`nih/images_001/images/${l.path}`)),
      memoryFile(`nih/images_002/images/${valPath.path}`),
      memoryFile('nih/images_002/images/99999999_000.png'), // in no list
    ];
    expect(splitFilesLayout.detect(files.map((f) => f.path))).toBe(11);
    expect(splitFilesLayout.detect(['nih/test_list.txt', 'nih/Data_Entry_2017.csv'])).toBe(0);
    const parsed = await splitFilesLayout.parse(files);
    expect(parsed.labels[13]).toBe('Hernia');
    expect(parsed.entries.map((e) => [e.path.split('/').pop(), e.split, e.labels])).toEqual([
      ...trainPaths.map((l) => [l.path, 'train', l.labels]),
      [valPath.path, 'val', valPath.labels],
    ]);
    expect(parsed.entries[0].patientId).toBe(String(Number(trainPaths[0].path.slice(0, 8))));
    expect(parsed.problems.map((p) => p.reason)).toEqual([
      'listed in train_1 but not in the dropped folder: 782 in all (e.g. ' + parseSplitList(train1, 'train_1.txt').lines.slice(3, 6).map((l) => l.path).join(', ') + ')',
      'listed in val_list but not in the dropped folder: 11,218 in all (e.g. ' + parseSplitList(val, 'val_list.txt').lines.slice(1, 4).map((l) => l.path).join(', ') + ')',
    ]);
    expect(parsed.notes.join(' ')).toMatch(/test_list.txt lists file names without labels/);
    expect(parsed.notes.join(' ')).toMatch(/1 images are in no chosen split list/);
  });

  it('matches CheXpert list paths under a full v1.0 or renamed folder and keeps the chosen train list', async () => {
    const lines = 'CheXpert-v1.0-small/train/patient08465/study1/view2_lateral.jpg 0 0 0 0 0\nCheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg 1 0 0 0 1\n';
    const files = [
      memoryFile('data/train_1.txt', lines),
      memoryFile('data/train_10.txt', lines + 'CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg 0 1 0 0 0\n'),
      memoryFile('data/train_list.txt', ''),
      memoryFile('data/CheXpert-v1.0/train/patient08465/study1/view2_lateral.jpg'),
      memoryFile('data/CheXpert-v1.0/train/patient00001/study1/view1_frontal.jpg'),
      memoryFile('data/CheXpert-v1.0/train/patient00002/study1/view1_frontal.jpg'),
    ];
    const largest = await splitFilesLayout.parse(files);
    expect(largest.entries).toHaveLength(3);
    expect(largest.notes.join(' ')).toMatch(/train_list.txt is empty/);
    const onePercent = await splitFilesLayout.parse(files, { train: 'train_1' });
    expect(onePercent.labels).toEqual(['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion']);
    expect(onePercent.entries.map((e) => [e.patientId, e.labels])).toEqual([
      ['patient08465', [0, 0, 0, 0, 0]],
      ['patient00001', [1, 0, 0, 0, 1]],
    ]);
  });

  it('labels RSNA stage_2_test_images from test_list and refuses to guess between duplicate names', async () => {
    const files = [
      memoryFile('rsna/test_list.txt', 'stage_2_test_images/T1.dcm 1 \nstage_2_test_images/T2.dcm 0 \n'),
      memoryFile('rsna/val_list.txt', 'stage_2_train_images/V1.dcm 0 \n'),
      memoryFile('rsna/stage_2_test_images/T1.dcm'),
      memoryFile('rsna/stage_2_test_images/T2.dcm'),
      memoryFile('rsna/stage_2_train_images/V1.dcm'),
      memoryFile('rsna/copy/stage_2_train_images/V1.dcm'),
    ];
    const parsed = await splitFilesLayout.parse(files);
    expect(parsed.labels).toEqual(['Pneumonia']);
    expect(parsed.entries.map((e) => [e.path, e.split, e.labels[0], e.patientId])).toEqual([
      ['rsna/stage_2_test_images/T1.dcm', 'test', 1, 'T1'],
      ['rsna/stage_2_test_images/T2.dcm', 'test', 0, 'T2'],
    ]);
    expect(parsed.problems[0].reason).toMatch(/several dropped files match this val_list line: rsna\/copy\/stage_2_train_images\/V1.dcm, rsna\/stage_2_train_images\/V1.dcm/);
  });
});

describe('applySplitSet', () => {
  it("restricts another layout's entries to the lists, with the lists' split and labels", () => {
    const parsed: ParsedDataset = {
      layout: 'rsna', labels: ['Pneumonia'], problems: [], notes: [],
      entries: ['A', 'B', 'C'].map((id) => ({ path: `r/stage_2_train_images/${id}.dcm`, file: new Blob(), labels: [0], patientId: id })),
    };
    const set = chooseSplitSet([
      parseSplitList('stage_2_train_images/A.dcm 1\nstage_2_train_images/Z.dcm 0\n', 'train_list.txt'),
      parseSplitList('stage_2_train_images/B.dcm 0\n', 'val_list.txt'),
    ]);
    const applied = applySplitSet(parsed, set);
    expect(applied.entries.map((e) => [e.patientId, e.split, e.labels])).toEqual([['A', 'train', [1]], ['B', 'val', [0]]]);
    expect(applied.problems).toEqual([
      { path: 'train_list.txt', reason: 'listed in train_list but not in the dropped folder: 1 in all (e.g. stage_2_train_images/Z.dcm)' },
    ]);
    expect(applied.notes.join(' ')).toMatch(/1 images are in no chosen split list/);
  });
});
