import { describe, expect, it } from 'vitest';
import { datasetNameFromFiles, pickDefaultDataset, prevalenceRows, totalImages } from '../../src/ui/view/datasetSummary';
import type { DatasetManifest, FileEntry } from '../../src/run/datasets';

function manifest(id: string, createdAt: number, incomplete?: boolean): DatasetManifest {
  return {
    id,
    name: id,
    layout: 'nih',
    labels: ['Atelectasis', 'Hernia'],
    storageSize: 224,
    counts: { train: 10, val: 4, test: 0 },
    positives: { train: [3, 0], val: [1, 1], test: [0, 0] },
    createdAt,
    notes: [],
    ...(incomplete === undefined ? {} : { incomplete }),
  };
}

describe('prevalenceRows', () => {
  it('gives positives, count and fraction per label and split; an empty split has NaN prevalence', () => {
    const rows = prevalenceRows(manifest('a', 1));
    expect(rows.map((r) => r.label)).toEqual(['Atelectasis', 'Hernia']);
    expect(rows[0].bySplit.train).toEqual({ positives: 3, count: 10, fraction: 0.3 });
    expect(rows[1].bySplit.val).toEqual({ positives: 1, count: 4, fraction: 0.25 });
    expect(rows[0].bySplit.test.fraction).toBeNaN();
    expect(totalImages(manifest('a', 1))).toBe(14);
  });
});

describe('pickDefaultDataset', () => {
  it('the most recent complete dataset wins over a newer incomplete one', () => {
    expect(pickDefaultDataset([manifest('old', 1), manifest('new', 3), manifest('partial', 5, true)])?.id).toBe('new');
  });
  it('falls back to an incomplete one, and to nothing', () => {
    expect(pickDefaultDataset([manifest('partial', 5, true)])?.id).toBe('partial');
    expect(pickDefaultDataset([])).toBeUndefined();
  });
});

describe('datasetNameFromFiles', () => {
  const file = (path: string): FileEntry => ({ path, file: new Blob([]) });
  const now = new Date(Date.UTC(2026, 0, 2));
  it('uses the dropped folder name', () => {
    expect(datasetNameFromFiles([file('chest_xray/train/NORMAL/a.jpeg'), file('chest_xray/test/x.png')], now)).toBe('chest_xray');
  });
  it('falls back to a dated name when paths start at the root', () => {
    expect(datasetNameFromFiles([file('Data_Entry_2017.csv'), file('images/a.png')], now)).toBe('Dataset of 2026-01-02');
    expect(datasetNameFromFiles([file('a/x.png'), file('b/y.png')], now)).toBe('Dataset of 2026-01-02');
  });
  it('names a dataset after the one archive it came in', () => {
    expect(datasetNameFromFiles([file('chest_xray.zip')], now)).toBe('chest_xray');
    expect(datasetNameFromFiles([file('kermany.tar.gz')], now)).toBe('kermany');
    expect(datasetNameFromFiles([file('set.TGZ')], now)).toBe('set');
    expect(datasetNameFromFiles([file('Data_Entry_2017.csv'), file('images_001.tar.gz')], now)).toBe('Dataset of 2026-01-02');
    expect(datasetNameFromFiles([file('photo.png')], now)).toBe('Dataset of 2026-01-02');
  });
});
