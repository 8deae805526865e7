import { openAsBlob } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PREVIEW_ROWS, previewCsv, previewCsvs } from '../../src/lab/csvPreview';
import { realIndexFile } from '../data-study/helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';

const entry = (path: string, text: string) => ({ path, file: new Blob([text]) });

describe('previewCsv', () => {
  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('reads only the first rows of the real NIH index (112,120 rows, gzipped) and guesses its columns', async () => {
    const path = realIndexFile('Data_Entry_2017_v2020.csv.gz');
    const preview = await previewCsv({ path: 'Data_Entry_2017_v2020.csv', file: await openAsBlob(path) });
    expect(preview.error).toBeUndefined();
    expect(preview.sample).toHaveLength(PREVIEW_ROWS);
    expect(preview.header.slice(0, 3)).toEqual(['Image Index', 'Finding Labels', 'Follow-up #']);
    expect(preview.sample[0]['Image Index']).toBe('00000001_000.png');
    expect(preview.suggestion).toMatchObject({ pathColumn: 'Image Index', labelListColumn: 'Finding Labels', patientColumn: 'Patient ID' });
  });
  it('returns every row of a short file', async () => {
    const preview = await previewCsv(entry('d/labels.csv', 'file,pneumonia\na.png,1\nb.png,0\n'));
    expect(preview.sample).toEqual([{ file: 'a.png', pneumonia: '1' }, { file: 'b.png', pneumonia: '0' }]);
    expect(preview.suggestion).toMatchObject({ pathColumn: 'file', labelColumns: ['pneumonia'] });
  });
  it('reports an unreadable CSV instead of throwing', async () => {
    const preview = await previewCsv(entry('d/empty.csv', ''));
    expect(preview.header).toEqual([]);
    expect(preview.error).toMatch(/empty CSV/);
  });
});

describe('previewCsvs', () => {
  it('previews each .csv of a drop in path order, skipping images and macOS metadata', async () => {
    const files = [
      entry('d/b.csv', 'path,x\n1.png,1\n'),
      entry('d/a.csv', 'path,y\n1.png,0\n'),
      entry('d/1.png', 'not read'),
      entry('__MACOSX/d/._a.csv', 'junk'),
    ];
    const previews = await previewCsvs(files);
    expect(previews.map((p) => p.path)).toEqual(['d/a.csv', 'd/b.csv']);
    expect(previews[1].header).toEqual(['path', 'x']);
  });
});
