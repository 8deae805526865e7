import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { classFoldersLayout, isNormalLike, patientIdFromFileName } from '../../src/data/layouts/classFolders';
import { detectLayout, parseDataset } from '../../src/data/layouts/registry';
import { fakeFiles } from './helpers';

const kermany = [
  'chest_xray/train/NORMAL/IM-0115-0001.jpeg',
  'chest_xray/train/NORMAL/NORMAL2-IM-1427-0001.jpeg',
  'chest_xray/train/PNEUMONIA/person123_bacteria_456.jpeg',
  'chest_xray/train/PNEUMONIA/person123_virus_457.JPEG',
  'chest_xray/val/NORMAL/IM-0200-0001.jpeg',
  'chest_xray/valid/PNEUMONIA/person5_virus_9.jpeg',
  'chest_xray/test/PNEUMONIA/person7_bacteria_1.png',
  'chest_xray/test/normal/IM-0300-0001.jpg',
];

describe('class-folders layout', () => {
  test.each([
    ['person123_bacteria_456.jpeg', 'person123'],
    ['person1_virus_8.jpeg', 'person1'],
    ['IM-0115-0001.jpeg', 'IM-0115'],
    ['NORMAL2-IM-1427-0001.jpeg', 'IM-1427'],
    ['IM-0437-0001-0001.jpeg', 'IM-0437'],
    ['00000013_005.png', '00000013'],
    ['scan_17.png', undefined],
  ])('patient id of %s is %s', (name, expected) => {
    expect(patientIdFromFileName(name)).toBe(expected);
  });

  test.each([
    ['NORMAL', true], ['0_normal', true], ['normal', true], ['No Finding', true], ['no_finding', true],
    ['Negative', true], ['healthy', true], ['PNEUMONIA', false], ['1_abnormal', false], ['abnormal', false],
  ])('isNormalLike(%s) = %s', (name, expected) => {
    expect(isNormalLike(name)).toBe(expected);
  });

  test('binary set with a normal folder -> one label named after the finding, splits from folders', async () => {
    const parsed = await classFoldersLayout.parse(fakeFiles(kermany));
    expect(parsed.layout).toBe('class-folders');
    expect(parsed.labels).toEqual(['PNEUMONIA']);
    expect(parsed.problems).toEqual([]);
    const byPath = new Map(parsed.entries.map((e) => [e.path, e]));
    expect(byPath.get('chest_xray/train/NORMAL/IM-0115-0001.jpeg')).toMatchObject({ labels: [0], split: 'train', patientId: 'IM-0115' });
    expect(byPath.get('chest_xray/train/PNEUMONIA/person123_virus_457.JPEG')).toMatchObject({ labels: [1], split: 'train', patientId: 'person123' });
    expect(byPath.get('chest_xray/valid/PNEUMONIA/person5_virus_9.jpeg')?.split).toBe('val');
    expect(byPath.get('chest_xray/val/NORMAL/IM-0200-0001.jpeg')?.split).toBe('val');
    // "normal" in test/ merges with "NORMAL" in train/ (case-insensitive class names).
    expect(byPath.get('chest_xray/test/normal/IM-0300-0001.jpg')).toMatchObject({ labels: [0], split: 'test' });
  });

  test('three classes -> one-hot labels in sorted class order, no split level -> split undefined', async () => {
    const parsed = await classFoldersLayout.parse(fakeFiles(['x/COVID/a.png', 'x/NORMAL/b.png', 'x/Viral Pneumonia/c.png']));
    expect(parsed.labels).toEqual(['COVID', 'NORMAL', 'Viral Pneumonia']);
    expect(parsed.entries.map((e) => e.labels)).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(parsed.entries.every((e) => e.split === undefined)).toBe(true);
  });

  test('NIH1000-style 0_normal / 1_abnormal with train/ valid/', async () => {
    const parsed = await classFoldersLayout.parse(fakeFiles([
      'NIH1000/train/0_normal/00000013_005.png', 'NIH1000/train/1_abnormal/00000013_006.png', 'NIH1000/valid/1_abnormal/00000099_000.png',
    ]));
    expect(parsed.labels).toEqual(['1_abnormal']);
    expect(parsed.entries.map((e) => [e.labels[0], e.split, e.patientId])).toEqual([
      [0, 'train', '00000013'], [1, 'train', '00000013'], [1, 'val', '00000099'],
    ]);
  });

  test('non-images and loose images are listed as problems, not dropped silently', async () => {
    const parsed = await classFoldersLayout.parse(fakeFiles(['d/NORMAL/a.png', 'd/PNEUMONIA/b.png', 'd/PNEUMONIA/notes.txt', 'd/readme.md', 'lonely.png']));
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.problems).toEqual([
      { path: 'd/PNEUMONIA/notes.txt', reason: expect.stringMatching(/^not an image/) },
      { path: 'd/readme.md', reason: expect.stringMatching(/^not an image/) },
      { path: 'lonely.png', reason: 'image is not inside a class folder' },
    ]);
  });

  test('detect: two class folders score, a flat folder does not', () => {
    expect(classFoldersLayout.detect(kermany)).toBeGreaterThan(1);
    expect(classFoldersLayout.detect(['a.png', 'b.png'])).toBe(0);
    expect(classFoldersLayout.detect(['x/a.txt'])).toBe(0);
  });

  test('the bundled demo manifest parses as 250 normal + 250 pneumonia', async () => {
    const manifest = JSON.parse(readFileSync('public/demo/manifest.json', 'utf8')) as { files: string[] };
    expect(detectLayout(manifest.files)?.id).toBe('class-folders');
    const parsed = await parseDataset(fakeFiles(manifest.files));
    expect(parsed.labels).toEqual(['PNEUMONIA']);
    expect(parsed.entries.filter((e) => e.labels[0] === 1)).toHaveLength(250);
    expect(parsed.entries.filter((e) => e.labels[0] === 0)).toHaveLength(250);
    expect(parsed.entries.every((e) => e.patientId !== undefined)).toBe(true);
  });

  test('parseDataset ignores dotfiles and __MACOSX, and explains when nothing fits', async () => {
    const parsed = await parseDataset(fakeFiles(['r/NORMAL/a.png', 'r/PNEUMONIA/b.png', 'r/.DS_Store', '__MACOSX/r/NORMAL/._a.png', 'r/NORMAL/Thumbs.db']));
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.problems).toEqual([]);
    await expect(parseDataset(fakeFiles(['notes.txt']))).rejects.toThrow(/No known dataset layout/);
    await expect(parseDataset(fakeFiles(['r/A/a.png']), { layout: 'nope' })).rejects.toThrow(/Unknown dataset layout 'nope'/);
  });
});
