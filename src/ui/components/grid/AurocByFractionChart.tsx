/**
 * Test macro AUROC against label fraction, one line per method, the seeds' spread as an error bar from the lowest
 * to the highest seed (with 2-5 seeds the range shows every seed; the sd is in the table). x is the label
 * fraction on a log scale (1 %, 10 %, 100 % are equal steps, as the study's fractions are), ticked only at the
 * fractions present. Under the chart, the same numbers as a table (the figure is one image to assistive
 * technology, so its data must also exist as text).
 */
import './AurocByFractionChart.css';
import { useMemo } from 'react';
import { CartesianGrid, ErrorBar, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { fractionLabel } from '../../../run/grid';
import { aurocByFractionSeries, type ResultsTable } from '../../../run/resultsTable';
import { formatAuroc } from '../../view/format';
import { METHOD_LABELS } from '../../view/labels';
import { aurocAxisDomain, aurocAxisTicks, aurocByFractionSummary, fractionAxis, fractionChartRows } from '../../view/resultsCells';
import { ChartFigure } from '../charts/ChartFigure';
import { AXIS_TICK, CHART_HEIGHT, COLORS } from '../charts/chartTheme';
import { METHOD_STYLES } from './methodStyles';

export const AUROC_BY_FRACTION_NAME = 'Test macro AUROC by label fraction';

interface Props {
  table: ResultsTable;
  /** A fixed width in px (tests, print); without it the chart fills its container. */
  width?: number;
  height?: number;
}

export function AurocByFractionChart({ table, width, height = CHART_HEIGHT }: Props) {
  const series = useMemo(() => aurocByFractionSeries(table), [table]);
  const x = useMemo(() => fractionAxis(series), [series]);
  const yDomain = useMemo(() => aurocAxisDomain(series), [series]);
  const yTicks = useMemo(() => aurocAxisTicks(yDomain), [yDomain]);
  const size = width === undefined ? { responsive: true, style: { width: '100%', height } } : { width, height };
  return (
    <div className="auroc-by-fraction">
      <ChartFigure
        name={AUROC_BY_FRACTION_NAME}
        caption="Test macro AUROC by label fraction (mean over seeds; bars: lowest to highest seed)"
        summary={aurocByFractionSummary(series)}
      >
        <LineChart {...size} margin={{ top: 8, right: 24, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke={COLORS.grid} />
          <XAxis
            type="number"
            dataKey="fraction"
            scale="log"
            domain={x.domain}
            ticks={x.ticks}
            tickFormatter={(f: number) => fractionLabel(f)}
            allowDataOverflow
            tick={AXIS_TICK}
          />
          <YAxis type="number" domain={yDomain} ticks={yTicks} tickFormatter={(v: number) => v.toFixed(2)} tick={AXIS_TICK} width={44} />
          <Tooltip formatter={(v) => formatAuroc(Number(v))} labelFormatter={(f) => `${fractionLabel(Number(f))} of the training labels`} isAnimationActive={false} />
          {/* itemSorter null: the legend keeps the lines' order (LoRA, full fine-tuning, linear probe), not A-Z. */}
          <Legend itemSorter={null} wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span style={{ color: COLORS.text }}>{value}</span>} />
          {series.map((s) => {
            const style = METHOD_STYLES[s.method];
            return (
              <Line
                key={s.method}
                data={fractionChartRows(s)}
                dataKey="mean"
                name={METHOD_LABELS[s.method]}
                stroke={style.stroke}
                strokeWidth={2}
                strokeDasharray={style.dash}
                dot={{ r: 4, fill: style.stroke }}
                legendType={style.dot}
                isAnimationActive={false}
              >
                <ErrorBar dataKey="spread" direction="y" width={5} stroke={style.stroke} />
              </Line>
            );
          })}
        </LineChart>
      </ChartFigure>
      {series.length === 0 ? (
        <p className="muted">No run scored on the test split yet.</p>
      ) : (
        <details className="chart-data">
          <summary>{AUROC_BY_FRACTION_NAME}: the numbers</summary>
          <table>
            <caption>{AUROC_BY_FRACTION_NAME}, per method and fraction, over seeds</caption>
            <thead>
              <tr>
                <th scope="col">Method</th>
                <th scope="col">Label fraction</th>
                <th scope="col">Seeds</th>
                <th scope="col">Mean</th>
                <th scope="col">sd</th>
                <th scope="col">Lowest</th>
                <th scope="col">Highest</th>
              </tr>
            </thead>
            <tbody>
              {series.flatMap((s) =>
                s.points.map((p) => (
                  <tr key={`${s.method}-${p.fractionLabel}`} data-method={s.method} data-fraction={p.fraction}>
                    <th scope="row">{METHOD_LABELS[s.method]}</th>
                    <td>{p.fractionLabel}</td>
                    <td>{p.n}</td>
                    <td>{formatAuroc(p.mean)}</td>
                    <td>{formatAuroc(p.sd)}</td>
                    <td>{formatAuroc(p.min)}</td>
                    <td>{formatAuroc(p.max)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
