import { describe, expect, it } from 'vitest';
import { chexpertLayout } from '../../src/data/layouts/chexpert';
import { memoryFile, realIndexFile, textOfGz } from './helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';
import type { FileEntry } from '../../src/run/datasets';
import { uncertainPolicyFor } from '../../src/run/layoutOptions';

/** The header and first rows of the real train.csv: the layout sees exactly what Stanford ships. */
let firstLines: string[] | null = null;
function realTrainCsv(rows: number): { csv: string; paths: string[] } {
  firstLines ??= textOfGz(realIndexFile('chexpert_train.csv.gz')).slice(0, 100_000).split('\n').slice(0, 101);
  const lines = firstLines.slice(0, rows + 1);
  return { csv: lines.join('\n') + '\n', paths: lines.slice(1).map((l) => l.split(',')[0]) };
}

const VALID_CSV = [
  'Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,Pleural Other,Fracture,Support Devices',
  'CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg,Male,73,Frontal,AP,0.0,1.0,1.0,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,1.0',
].join('\n');

function drop(prefix: string, rows = 20): { files: FileEntry[]; paths: string[] } {
  const { csv, paths } = realTrainCsv(rows);
  const files = [
    memoryFile(`${prefix}CheXpert-v1.0-small/train.csv`, csv),
    memoryFile(`${prefix}CheXpert-v1.0-small/valid.csv`, VALID_CSV),
    memoryFile(`${prefix}CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg`),
    // every image of the CSV except the last one
    ...paths.slice(0, -1).map((p) => memoryFile(prefix + p)),
  ];
  return { files, paths };
}

describe('CheXpert layout', () => {
  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('is detected from train.csv / valid.csv beside CheXpert-v1.0-small', () => {
    expect(chexpertLayout.detect(drop('').files.map((f) => f.path))).toBe(10);
    expect(chexpertLayout.detect(['x/Data_Entry_2017.csv', 'x/images/a.png'])).toBe(0);
  });

  for (const prefix of ['', 'downloads/']) {
    it.skipIf(SKIP_WITHOUT_SHARED_DATA)(`resolves CSV paths relative to the folder above CheXpert-v1.0-small (dropped as '${prefix || 'the folder itself'}')`, async () => {
      const { files, paths } = drop(prefix);
      const parsed = await chexpertLayout.parse(files);
      expect(parsed.labels).toEqual(['Atelectasis', 'Cardiomegaly', 'Consolidation', 'Edema', 'Pleural Effusion']);
      expect(parsed.entries).toHaveLength(paths.length); // 19 train + 1 valid
      expect(parsed.entries.filter((e) => e.split === 'val').map((e) => e.path)).toEqual([
        `${prefix}CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg`,
      ]);
      expect(parsed.problems).toEqual([{ path: paths[paths.length - 1], reason: 'CSV row has no image in the dropped folder' }]);
      const second = parsed.entries.find((e) => e.path.endsWith('patient00002/study2/view1_frontal.jpg'))!;
      // Row: Cardiomegaly -1 (U-Zeros), Edema -1 (U-Ones), Consolidation -1 (U-Zeros), Atelectasis -1 (U-Ones), Effusion -1 (U-Ones)
      expect(second.labels).toEqual([1, 0, 0, 1, 1]);
      expect(second.patientId).toBe('patient00002');
      expect(second.split).toBe('train');
    });
  }

  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('a renamed top folder still matches (paths resolved from the CSV folder)', async () => {
    const { files } = drop('');
    const renamed = files.map((f) => ({ ...f, path: f.path.replace('CheXpert-v1.0-small/', 'my chexpert/') }));
    expect(chexpertLayout.detect(renamed.map((f) => f.path))).toBe(8);
    const parsed = await chexpertLayout.parse(renamed);
    expect(parsed.entries).toHaveLength(20);
  });

  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('applies per-label uncertainty policies, 14 labels and frontal-only', async () => {
    const { files } = drop('');
    const ignore = await chexpertLayout.parse(files, { uncertain: { Atelectasis: 'ignore', Edema: 'zeros' } });
    const row = ignore.entries.find((e) => e.path.endsWith('patient00002/study2/view1_frontal.jpg'))!;
    expect(row.labels).toEqual([-1, 0, 0, 0, 1]);
    const all = await chexpertLayout.parse(files, { labels: '14', frontalOnly: true });
    expect(all.labels).toHaveLength(14);
    expect(all.labels[0]).toBe('No Finding');
    expect(all.entries.every((e) => !e.path.includes('lateral'))).toBe(true);
    expect(all.notes.join(' ')).toMatch(/lateral views left out/);
    expect(uncertainPolicyFor('Fracture')).toBe('ignore');
    expect(uncertainPolicyFor('Cardiomegaly')).toBe('zeros');
  });

  it('reports an unknown cell value per row and a missing label column by name', async () => {
    const bad = VALID_CSV.replace(',1.0,1.0,1.0,0.0,0.0,0.0', ',1.0,maybe,1.0,0.0,0.0,0.0');
    const parsed = await chexpertLayout.parse([
      memoryFile('CheXpert-v1.0-small/valid.csv', bad),
      memoryFile('CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg'),
    ]);
    expect(parsed.entries).toEqual([]);
    expect(parsed.problems[0].reason).toMatch(/unknown label value 'maybe' in column 'Cardiomegaly'/);
    const noEdema = VALID_CSV.replace('Edema,', 'Oedema,');
    await expect(chexpertLayout.parse([memoryFile('CheXpert-v1.0-small/valid.csv', noEdema)])).rejects.toThrow(
      "CheXpert-v1.0-small/valid.csv: missing column 'Edema'",
    );
  });
});
