/**
 * The study's results table, as the paper prints it: rows by label fraction then method, the test macro AUROC as
 * mean ± sd over seeds with the better of LoRA and full fine-tuning marked (bold and "▲", with the words for screen
 * readers), each run's bootstrap interval, per-label AUROC, calibration and costs; under it, the wins line as a
 * status message (it changes while a grid runs). Each row carries data-method, data-fraction and data-macro-auroc
 * for the e2e tests.
 */
import './ResultsTable.css';
import { useId } from 'react';
import type { ResultsRow, ResultsTable as ResultsTableData } from '../../../run/resultsTable';
import { costTexts, intervalText, meanSdText, paramsText, rowsByFraction, seedsText, versusWords } from '../../view/resultsCells';
import { formatAuroc } from '../../view/format';
import { METHOD_LABELS } from '../../view/labels';

function MacroCell({ row }: { row: ResultsRow }) {
  const text = meanSdText(row.macroAuroc);
  const words = versusWords(row);
  if (row.versus === 'better') {
    return (
      <td className="results-better" data-versus="better">
        <strong>{text}</strong>
        <span className="results-mark" aria-hidden="true">
          ▲
        </span>
        <span className="visually-hidden">, {words}</span>
      </td>
    );
  }
  return (
    <td data-versus={row.versus ?? undefined}>
      {text}
      {row.versus === 'tie' && (
        <>
          <span className="results-mark" aria-hidden="true">
            =
          </span>
          <span className="visually-hidden">, {words}</span>
        </>
      )}
    </td>
  );
}

function Row({ row, groupHeader }: { row: ResultsRow; groupHeader: { label: string; span: number } | null }) {
  const costs = costTexts(row);
  return (
    <tr data-method={row.method} data-fraction={row.fraction} data-macro-auroc={row.macroAuroc.mean ?? 'n/a'} data-seeds={row.scored}>
      {groupHeader && (
        <th scope="rowgroup" rowSpan={groupHeader.span}>
          {groupHeader.label}
        </th>
      )}
      <th scope="row">{METHOD_LABELS[row.method]}</th>
      <td>{seedsText(row)}</td>
      <MacroCell row={row} />
      <td>
        {row.intervals.length === 0 ? (
          'n/a'
        ) : (
          <ul className="results-intervals">
            {row.intervals.map((i) => (
              <li key={i.runId}>{intervalText(i)}</li>
            ))}
          </ul>
        )}
      </td>
      {row.auroc.map((a) => (
        <td key={a.label}>{formatAuroc(a.mean)}</td>
      ))}
      <td>{formatAuroc(row.meanEce.mean)}</td>
      <td>{paramsText(row)}</td>
      <td>{costs.optimizerState}</td>
      <td>{costs.msPerStep}</td>
      <td>{costs.imagesPerSec}</td>
      <td>{costs.wallTime}</td>
    </tr>
  );
}

export function ResultsTable({ table }: { table: ResultsTableData }) {
  const captionId = useId();
  const datasets = table.datasets.map((d) => d.name).join(', ');
  return (
    <div className="results">
      {table.datasets.length > 1 && (
        <p className="notice">These runs come from {table.datasets.length} datasets ({datasets}): compare runs of one dataset.</p>
      )}
      {table.rows.length === 0 ? (
        <p className="muted">No runs yet: the table fills in as runs are scored on the test split.</p>
      ) : (
        // A focusable region, so keyboard users can scroll the wide table (WCAG 2.1.1).
        <div className="results-table-scroll" role="region" aria-labelledby={captionId} tabIndex={0}>
          <table className="results-table">
            <caption id={captionId}>Test results by label fraction and method{datasets ? ` (${datasets})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Label fraction</th>
                <th scope="col">Method</th>
                <th scope="col">Seeds</th>
                <th scope="col">
                  Test macro AUROC<span className="results-unit">mean ± sd</span>
                </th>
                <th scope="col">
                  95 % bootstrap interval<span className="results-unit">per seed</span>
                </th>
                {table.labels.map((label) => (
                  <th scope="col" key={label}>
                    {label}
                    <span className="results-unit">AUROC</span>
                  </th>
                ))}
                <th scope="col">
                  Mean ECE<span className="results-unit">15 bins</span>
                </th>
                <th scope="col">Trainable parameters</th>
                <th scope="col">Optimizer state</th>
                <th scope="col">ms/step</th>
                <th scope="col">images/s</th>
                <th scope="col">Wall time</th>
              </tr>
            </thead>
            {rowsByFraction(table).map((group) => (
              <tbody key={group.fractionLabel}>
                {group.rows.map((row, i) => (
                  <Row key={row.method} row={row} groupHeader={i === 0 ? { label: group.fractionLabel, span: group.rows.length } : null} />
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
      {table.rows.length > 0 && (
        <p className="muted">
          ▲ the better of LoRA and full fine-tuning at a label fraction by mean test macro AUROC; = a tie. Best-validation
          checkpoint scored on the whole test split; sd over seeds (n − 1); costs are means over the scored runs.
        </p>
      )}
      {/* A live status line: while a grid runs, a newly scored run that changes the count is announced. */}
      <p className="results-wins" role="status">
        {table.winsLine}
      </p>
    </div>
  );
}
