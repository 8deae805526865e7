/**
 * Every label's ROC curve of one evaluation, with its AUROC in the legend; the chosen label's curve is drawn bold
 * with the threshold's operating point on it, and the chance diagonal dashed. The numbers are in the tables beside
 * it (ThresholdTable, RocPointsTable).
 */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceDot, ReferenceLine, XAxis, YAxis } from 'recharts';
import { legendText, rocPoints, type LabelRoc } from '../../view/rocView';
import { ChartFigure } from '../charts/ChartFigure';
import { AXIS_TICK, COLORS } from '../charts/chartTheme';
import { labelColour, labelDash } from './labelColours';

interface Props {
  rocs: LabelRoc[];
  selected: number;
  point: { fpr: number; tpr: number } | null;
  caption: string;
  summary: string;
}

const TICKS = [0, 0.25, 0.5, 0.75, 1];

export function RocChart({ rocs, selected, point, caption, summary }: Props) {
  const lines = useMemo(() => rocs.filter((r) => r.curve !== null).map((r) => ({ roc: r, points: rocPoints(r.curve!) })), [rocs]);
  return (
    <ChartFigure name="ROC curves" caption={caption} summary={summary} className="roc-chart">
      <LineChart responsive style={{ width: '100%', height: 320 }} margin={{ top: 8, right: 16, bottom: 16, left: 4 }} accessibilityLayer={false}>
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis
          type="number"
          dataKey="fpr"
          domain={[0, 1]}
          ticks={TICKS}
          tick={AXIS_TICK}
          label={{ value: '1 − specificity (false-positive rate)', position: 'insideBottom', offset: -8, fontSize: 11, fill: COLORS.axis }}
        />
        <YAxis type="number" domain={[0, 1]} ticks={TICKS} tick={AXIS_TICK} width={44} label={{ value: 'Sensitivity', angle: -90, position: 'insideLeft', fontSize: 11, fill: COLORS.axis }} />
        <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke={COLORS.chance} strokeDasharray="4 3" />
        <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span style={{ color: COLORS.text }}>{value}</span>} />
        {lines.map(({ roc, points }) => (
          <Line
            key={roc.label}
            data={points}
            dataKey="tpr"
            name={legendText(roc)}
            stroke={labelColour(roc.index)}
            strokeDasharray={labelDash(roc.index)}
            strokeWidth={roc.index === selected ? 3 : 1.5}
            strokeOpacity={roc.index === selected ? 1 : 0.55}
            dot={false}
            isAnimationActive={false}
          />
        ))}
        {point && <ReferenceDot x={point.fpr} y={point.tpr} r={6} fill="#fff" stroke={labelColour(selected)} strokeWidth={3} />}
      </LineChart>
    </ChartFigure>
  );
}
