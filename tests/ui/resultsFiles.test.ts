import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { checkResultsJson } from '../../src/run/resultsExport';
import { resultsTable } from '../../src/run/resultsTable';
import { resultsFile, resultsFileBase } from '../../src/ui/view/resultsFiles';
import { studyRuns } from '../run/resultsFixtures';

const runs = studyRuns();
const table = resultsTable(runs);
const at = new Date('2026-12-05T10:20:30.456Z');

describe('results files', () => {
  it('are named after the dataset (or grid) and the time, with the right type', () => {
    expect(resultsFile('csv', table, runs, undefined, at)).toMatchObject({ fileName: 'results-Demo_set-2026-12-05T10-20-30-456Z.csv', mime: 'text/csv' });
    expect(resultsFile('json', table, runs, undefined, at)).toMatchObject({ fileName: 'results-Demo_set-2026-12-05T10-20-30-456Z.json', mime: 'application/json' });
    expect(resultsFile('markdown', table, runs, undefined, at)).toMatchObject({ fileName: 'results-Demo_set-2026-12-05T10-20-30-456Z.md', mime: 'text/markdown' });
    expect(resultsFileBase(resultsTable([]))).toBe('results');
    expect(resultsFileBase({ ...table, datasets: [{ id: 'x', name: ' NIH: ChestX-ray14 / 1% ' }] })).toBe('results-NIH_ChestX-ray14_1');
  });
  it('open: the CSV parses, the JSON passes its schema check, the Markdown uses the page’s method names', () => {
    const csv = Papa.parse(resultsFile('csv', table, runs, undefined, at).text, { header: true, skipEmptyLines: true });
    expect(csv.errors).toEqual([]);
    expect(csv.data).toHaveLength(6);
    expect(checkResultsJson(JSON.parse(resultsFile('json', table, runs, undefined, at).text))).toEqual([]);
    expect(resultsFile('markdown', table, runs, undefined, at).text).toContain('| 1 % | Full fine-tuning | 2 | 0.700 ± 0.014 |');
  });
});
