/** Training loss per step (raw, thin; EMA, bold), validation loss per evaluation (points), a line per slider change. */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { eventMarkers, lossRows, valLossRows } from '../../view/chartData';
import { lossSummary } from '../../view/chartSummaries';
import { formatMetric } from '../../view/format';
import { ChartFigure } from './ChartFigure';
import { AXIS_TICK, CHART_HEIGHT, COLORS, LOSS_SMOOTHING, MAX_POINTS } from './chartTheme';
import type { EvaluationRecord, RunEvent, StepRecord } from '../../../run/records';

interface Props {
  steps: StepRecord[];
  evaluations: EvaluationRecord[];
  events: RunEvent[];
  totalSteps: number;
}

export function LossChart({ steps, evaluations, events, totalSteps }: Props) {
  const loss = useMemo(() => lossRows(steps, LOSS_SMOOTHING, MAX_POINTS), [steps]);
  const val = useMemo(() => valLossRows(evaluations), [evaluations]);
  const markers = useMemo(() => eventMarkers(events), [events]);
  return (
    <ChartFigure name="Loss chart" caption="Loss (binary cross-entropy) per step" summary={lossSummary(loss, val, markers)}>
      <LineChart responsive style={{ width: '100%', height: CHART_HEIGHT }} margin={{ top: 16, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis type="number" dataKey="step" domain={[0, Math.max(1, totalSteps)]} allowDecimals={false} tick={AXIS_TICK} />
        <YAxis type="number" domain={['auto', 'auto']} tick={AXIS_TICK} tickFormatter={formatMetric} width={52} />
        <Tooltip formatter={(v) => formatMetric(Number(v))} labelFormatter={(step) => `Step ${step}`} isAnimationActive={false} />
        {/* Legend text in the body colour: the light raw-loss colour is too pale for text (WCAG 1.4.3). */}
        <Legend wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span style={{ color: COLORS.text }}>{value}</span>} />
        <Line data={loss} dataKey="trainLoss" name="training loss" stroke={COLORS.raw} strokeWidth={1} dot={false} isAnimationActive={false} />
        <Line data={loss} dataKey="smoothedLoss" name="smoothed" stroke={COLORS.smoothed} strokeWidth={2.5} dot={false} isAnimationActive={false} />
        <Line
          data={val}
          dataKey="valLoss"
          name="validation loss"
          stroke={COLORS.val}
          strokeWidth={1.5}
          strokeDasharray="4 3"
          dot={{ r: 3, fill: COLORS.val }}
          isAnimationActive={false}
        />
        {markers.map((m, i) => (
          <ReferenceLine
            key={m.key}
            x={m.step}
            stroke={COLORS.marker}
            strokeDasharray="2 2"
            // Changes a few steps apart would print their labels on top of each other: stagger them in 3 rows.
            label={{ value: m.text, position: 'insideTopLeft', fontSize: 10, fill: COLORS.marker, dy: (i % 3) * 12 }}
          />
        ))}
      </LineChart>
    </ChartFigure>
  );
}
