import { describe, expect, it } from 'vitest';
import { rsnaLayout } from '../../src/data/layouts/rsna';
import { memoryFile, rsnaLabelsCsv } from './helpers';
import { SKIP_WITHOUT_SHARED_DATA } from '../sharedData';

describe('RSNA Pneumonia layout', () => {
  it('one entry per image, Target = max over its box rows, patientId = the CSV column (file stem)', async () => {
    const csv = 'patientId,x,y,width,height,Target\nA,,,,,0\nB,10,10,5,5,1\nB,30,30,5,5,1\nC,,,,,0\n';
    const parsed = await rsnaLayout.parse([
      memoryFile('rsna/stage_2_train_labels.csv', csv),
      memoryFile('rsna/stage_2_train_images/A.dcm'),
      memoryFile('rsna/stage_2_train_images/B.dcm'),
      memoryFile('rsna/stage_2_train_images/orphan.dcm'),
      memoryFile('rsna/stage_2_test_images/T1.dcm'),
    ]);
    expect(parsed.labels).toEqual(['Pneumonia']);
    expect(parsed.entries.map((e) => [e.path, e.labels, e.patientId])).toEqual([
      ['rsna/stage_2_train_images/A.dcm', [0], 'A'],
      ['rsna/stage_2_train_images/B.dcm', [1], 'B'],
    ]);
    expect(parsed.problems).toEqual([
      { path: 'C', reason: 'CSV row has no DICOM in the dropped folder' },
      { path: 'rsna/stage_2_train_images/orphan.dcm', reason: 'DICOM has no row in stage_2_train_labels.csv' },
    ]);
    expect(parsed.notes.join(' ')).toMatch(/1 DICOMs in stage_2_test_images have no public labels/);
  });

  it.skipIf(SKIP_WITHOUT_SHARED_DATA)('on the real 30,227-row CSV with a few images: counts exact, missing rows summarised in one line', async () => {
    const csv = rsnaLabelsCsv();
    const ids = ['0004cfab-14fd-4e49-80ba-63a80b6bddd6', '00436515-870c-4b36-a041-de91049b9ab4'];
    expect(rsnaLayout.detect(['x/stage_2_train_labels.csv', `x/stage_2_train_images/${ids[0]}.dcm`])).toBe(10);
    const parsed = await rsnaLayout.parse([
      memoryFile('stage_2_train_labels.csv', csv),
      ...ids.map((id) => memoryFile(`stage_2_train_images/${id}.dcm`)),
    ]);
    expect(parsed.entries.map((e) => e.labels[0])).toEqual([0, 1]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].reason).toMatch(/^CSV row has no DICOM in the dropped folder: 26,682 in all/);
  });

  it('rejects a Target that is not 0/1 per row and names a missing column', async () => {
    const parsed = await rsnaLayout.parse([
      memoryFile('stage_2_train_labels.csv', 'patientId,Target\nA,yes\n'),
      memoryFile('stage_2_train_images/A.dcm'),
    ]);
    expect(parsed.problems[0].reason).toMatch(/unknown Target value 'yes'/);
    await expect(rsnaLayout.parse([memoryFile('stage_2_train_labels.csv', 'patientId,x\nA,1\n')])).rejects.toThrow(
      "stage_2_train_labels.csv: missing column 'Target'",
    );
  });
});
