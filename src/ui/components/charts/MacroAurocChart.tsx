/** Macro AUROC (unweighted mean over labels) per evaluation; an undefined value leaves a gap. */
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { MacroRow } from '../../view/chartData';
import { macroSummary } from '../../view/chartSummaries';
import { formatAuroc } from '../../view/format';
import { ChartFigure } from './ChartFigure';
import { AXIS_TICK, COLORS, SMALL_CHART_HEIGHT } from './chartTheme';

export function MacroAurocChart({ rows, totalSteps }: { rows: MacroRow[]; totalSteps: number }) {
  return (
    <ChartFigure name="Macro AUROC chart" caption="Validation macro AUROC over steps" summary={macroSummary(rows)}>
      <LineChart data={rows} responsive style={{ width: '100%', height: SMALL_CHART_HEIGHT }} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke={COLORS.grid} />
        <XAxis type="number" dataKey="step" domain={[0, Math.max(1, totalSteps)]} allowDecimals={false} tick={AXIS_TICK} />
        <YAxis type="number" domain={[0, 1]} ticks={[0, 0.5, 1]} tick={AXIS_TICK} width={40} />
        <Tooltip formatter={(v) => formatAuroc(v === null ? null : Number(v))} labelFormatter={(step) => `Step ${step}`} isAnimationActive={false} />
        <Line dataKey="macroAuroc" name="macro AUROC" stroke={COLORS.smoothed} strokeWidth={2} dot={{ r: 3 }} connectNulls={false} isAnimationActive={false} />
      </LineChart>
    </ChartFigure>
  );
}
