import { describe, expect, it } from 'vitest';
import { countByReason, ingestReportJson } from '../../src/ui/view/ingestReport';
import type { DatasetManifest, IngestResult } from '../../src/run/datasets';
const manifest: DatasetManifest = {
  id: 'ds',
  name: 'chest_xray',
  layout: 'class-folders',
  labels: ['PNEUMONIA'],
  storageSize: 224,
  counts: { train: 2, val: 0, test: 0 },
  positives: { train: [1], val: [0], test: [0] },
  createdAt: 1,
  notes: [],
};

describe('ingestReportJson', () => {
  it('is {"ingested", "skipped": [{path, reason}]} plus context', () => {
    const result: IngestResult = {
      datasetId: 'ds',
      manifest,
      ingested: 2,
      skipped: [{ path: 'a/empty.png', reason: 'zero-byte file' }],
      cancelled: false,
    };
    const json = ingestReportJson(result);
    expect(json).toEqual({
      ingested: 2,
      skipped: [{ path: 'a/empty.png', reason: 'zero-byte file' }],
      datasetId: 'ds',
      datasetName: 'chest_xray',
      layout: 'class-folders',
      cancelled: false,
      flagged: [],
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    const flagged = { path: 'a/cat.png', score: 0.97, reason: 'looks like a colour photograph', excluded: false };
    expect(ingestReportJson({ ...result, flagged: [flagged] }).flagged).toEqual([flagged]);
  });
});

describe('countByReason', () => {
  it('groups by the kind before a colon, most frequent first', () => {
    const counts = countByReason([
      { path: 'a', reason: 'truncated PNG: expected 100 bytes' },
      { path: 'b', reason: 'not an image' },
      { path: 'c', reason: 'truncated PNG: expected 7 bytes' },
      { path: 'd', reason: 'zero-byte file' },
    ]);
    expect(counts).toEqual([
      { reason: 'truncated PNG', count: 2 },
      { reason: 'not an image', count: 1 },
      { reason: 'zero-byte file', count: 1 },
    ]);
  });
  it('empty in, empty out', () => {
    expect(countByReason([])).toEqual([]);
  });
});
