/**
 * The results components rendered to static HTML (react-dom/server; Vitest runs in node, with no DOM). recharts 3
 * draws its SVG only after mounting in a browser, so here the chart is checked through its accessible name, its
 * summary and its table alternative; the SVG itself is for the e2e.
 */
import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { resultsTable } from '../../src/run/resultsTable';
import { AurocByFractionChart } from '../../src/ui/components/grid/AurocByFractionChart';
import { ResultsExports } from '../../src/ui/components/grid/ResultsExports';
import { ResultsTable } from '../../src/ui/components/grid/ResultsTable';
import { StudyResults } from '../../src/ui/components/grid/StudyResults';
import { fakeRun, LABELS, score, studyRuns } from '../run/resultsFixtures';

const runs = studyRuns();
const table = resultsTable(runs);

/** The opening tag and the cells' text of the table row with these data attributes. */
function row(html: string, method: string, fraction: number): { tag: string; cells: string[]; raw: string } {
  const match = html.match(new RegExp(`(<tr data-method="${method}" data-fraction="${fraction}"[^>]*>)(.*?)</tr>`));
  if (!match) throw new Error(`no row ${method} ${fraction}`);
  const cells = [...match[2].matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
  return { tag: match[1], cells, raw: match[2] };
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

describe('ResultsTable', () => {
  const html = renderToStaticMarkup(h(ResultsTable, { table }));

  it('is a captioned table with column, row-group and row headers', () => {
    expect(html).toContain('<caption');
    expect(html).toContain('Test results by label fraction and method (Demo set)</caption>');
    expect(html.match(/<th scope="col">/g)).toHaveLength(11 + LABELS.length);
    expect(html.match(/<th scope="rowgroup" rowSpan="3">/g)).toHaveLength(2);
    expect(html.match(/<th scope="row">/g)).toHaveLength(6);
    expect(text(html)).toContain('Effusion, "pleural" AUROC');
    // the wide table scrolls in a named, focusable region
    expect(html).toMatch(/<div class="results-table-scroll" role="region" aria-labelledby="[^"]+" tabindex="0">/);
  });

  it('holds the numbers of each row', () => {
    const lora = row(html, 'lora', 0.01);
    expect(lora.tag).toContain('data-macro-auroc="0.72"');
    expect(lora.cells).toEqual([
      '1 %',
      'LoRA',
      '2',
      '0.720 ± 0.028 ▲ , better than full fine-tuning at 1 %',
      'seed 0: 0.670–0.730 seed 1: 0.710–0.770',
      '0.710',
      '0.720',
      '0.060',
      '1,000 (0.990%)',
      '8.0 kB',
      '112.5',
      '72',
      '1 min 03 s',
    ]);
    expect(row(html, 'linear', 1).cells.slice(0, 4)).toEqual(['Linear probe', '1 (1 unscored)', '0.750', 'seed 0: 0.720–0.780']);
  });

  it('marks the better of LoRA and FFT with bold, a mark and words, not colour alone', () => {
    const better = row(html, 'fft', 1).raw;
    expect(better).toContain('<td class="results-better" data-versus="better"><strong>0.840 ± 0.014</strong>');
    expect(better).toContain('<span class="results-mark" aria-hidden="true">▲</span><span class="visually-hidden">, better than LoRA at 100 %</span>');
    const worse = row(html, 'lora', 1).raw;
    expect(worse).toContain('<td data-versus="worse">0.810 ± 0.014</td>');
    expect(row(html, 'linear', 0.01).raw).not.toContain('data-versus');
    expect(html.match(/▲<\/span>/g)).toHaveLength(2);
  });

  it('shows the wins line as a status message', () => {
    expect(html).toContain('<p class="results-wins" role="status">LoRA won 1 of 2 fractions; full fine-tuning won 1; 0 ties.</p>');
  });

  it('marks a tie with "=" and words, and bolds neither', () => {
    const tie = renderToStaticMarkup(
      h(ResultsTable, {
        table: resultsTable([fakeRun({ method: 'lora', seed: 0, test: score({ [LABELS[0]]: 0.8 }) }), fakeRun({ method: 'fft', seed: 0, test: score({ [LABELS[0]]: 0.8 }) })]),
      }),
    );
    expect(tie).not.toContain('<strong>');
    expect(row(tie, 'lora', 1).raw).toContain('<td data-versus="tie">0.800<span class="results-mark" aria-hidden="true">=</span><span class="visually-hidden">, tie with full fine-tuning at 100 %</span></td>');
    expect(tie).toContain('LoRA won 0 of 1 fraction; full fine-tuning won 0; 1 tie.');
  });

  it('without runs says so, and keeps the status line for later announcements', () => {
    const empty = renderToStaticMarkup(h(ResultsTable, { table: resultsTable([]) }));
    expect(empty).not.toContain('<table');
    expect(empty).toContain('No runs yet');
    expect(empty).toContain('role="status"');
  });

  it('warns when the runs mix datasets', () => {
    const mixed = renderToStaticMarkup(h(ResultsTable, { table: resultsTable([...runs, fakeRun({ id: 'z', method: 'lora', seed: 5, datasetId: 'ds2', test: score({ a: 0.5 }) })]) }));
    expect(mixed).toContain('These runs come from 2 datasets (Demo set, Set ds2)');
  });
});

describe('AurocByFractionChart', () => {
  const html = renderToStaticMarkup(h(AurocByFractionChart, { table, width: 600 }));

  it('is one named image with its numbers in words', () => {
    expect(html).toContain('role="img" aria-label="Test macro AUROC by label fraction"');
    expect(text(html)).toContain('LoRA: 1 % 0.720 ± 0.028 (2 seeds), 100 % 0.810 ± 0.014 (2 seeds).');
  });

  it('renders its table alternative: one row per method and fraction', () => {
    expect(html).toContain('<details class="chart-data">');
    expect(html.match(/<tr data-method=/g)).toHaveLength(6);
    expect(row(html, 'fft', 1).cells).toEqual(['Full fine-tuning', '100 %', '2', '0.840', '0.014', '0.830', '0.850']);
    expect(row(html, 'linear', 1).cells).toEqual(['Linear probe', '100 %', '1', '0.750', 'n/a', '0.750', '0.750']);
  });

  it('says when nothing is scored yet', () => {
    const empty = renderToStaticMarkup(h(AurocByFractionChart, { table: resultsTable([fakeRun({ method: 'lora', seed: 0 })]), width: 600 }));
    expect(empty).toContain('No run scored on the test split yet.');
    expect(empty).not.toContain('<details');
  });
});

describe('ResultsExports and StudyResults', () => {
  it('offer three export buttons, disabled while there is nothing to export', () => {
    const onDownload = () => {};
    const html = renderToStaticMarkup(h(ResultsExports, { table, runs, onDownload }));
    for (const kind of ['CSV', 'JSON', 'Markdown']) expect(html).toContain(`<button type="button" class="secondary">Export table as ${kind}</button>`);
    const empty = renderToStaticMarkup(h(ResultsExports, { table: resultsTable([]), runs: [], onDownload }));
    expect(empty.match(/disabled=""/g)).toHaveLength(3);
  });

  it('puts the table, the wins line, the chart and the exports together from plain runs', () => {
    const html = renderToStaticMarkup(h(StudyResults, { runs, onDownload: () => {}, chartWidth: 600 }));
    expect(html).toContain('<table class="results-table">');
    expect(html).toContain('role="status">LoRA won 1 of 2 fractions');
    expect(html).toContain('aria-label="Test macro AUROC by label fraction"');
    expect(html).toContain('Export table as Markdown');
  });
});
