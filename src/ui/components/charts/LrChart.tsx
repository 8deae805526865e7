/** The learning rate each step used: linear warm-up, then half-cycle cosine to the minimum. */
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { lrRows } from '../../view/chartData';
import { lrSummary } from '../../view/chartSummaries';
import { formatMetric } from '../../view/format';
import { ChartFigure } from './ChartFigure';
import { AXIS_TICK, COLORS, MAX_POINTS, SMALL_CHART_HEIGHT } from './chartTheme';
import type { StepRecord } from '../../../run/records';

export function LrChart({ steps, totalSteps }: { steps: StepRecord[]; totalSteps: number }) {
  const rows = useMemo(() => lrRows(steps, MAX_POINTS), [steps]);
  return (
    <ChartFigure name="Learning rate chart" caption="Learning rate per step" summary={lrSummary(rows)}>
      <LineChart data={rows} responsive style={{ width: '100%', height: SMALL_CHART_HEIGHT }} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis type="number" dataKey="step" domain={[0, Math.max(1, totalSteps)]} allowDecimals={false} tick={AXIS_TICK} />
        <YAxis type="number" domain={[0, 'auto']} tick={AXIS_TICK} tickFormatter={formatMetric} width={56} />
        <Tooltip formatter={(v) => formatMetric(Number(v))} labelFormatter={(step) => `Step ${step}`} isAnimationActive={false} />
        <Line dataKey="lr" name="learning rate" stroke={COLORS.smoothed} strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </ChartFigure>
  );
}
