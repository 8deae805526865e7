/**
 * One bar per label from the latest validation evaluation, on [0, 1]. An undefined AUROC (one class only in the
 * evaluated set) draws no bar and reads "n/a" beside its label, never 0.5.
 */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceLine, XAxis, YAxis } from 'recharts';
import type { AurocBar } from '../../view/chartData';
import { aurocSummary } from '../../view/chartSummaries';
import { ChartFigure } from './ChartFigure';
import { AXIS_TICK, COLORS } from './chartTheme';
import type { EvaluationRecord } from '../../../run/records';

interface Props {
  bars: AurocBar[];
  evaluation: EvaluationRecord | undefined;
}

const BAR_ROW_PX = 22;

export function AurocChart({ bars, evaluation }: Props) {
  const textOf = useMemo(() => new Map(bars.map((b) => [b.label, b.text])), [bars]);
  const height = Math.max(120, 48 + BAR_ROW_PX * bars.length);
  const caption = evaluation ? `Per-label validation AUROC at step ${evaluation.step}` : 'Per-label validation AUROC (after the first evaluation)';
  return (
    <ChartFigure name="Per-label AUROC chart" caption={caption} summary={aurocSummary(bars, evaluation)}>
      <BarChart
        layout="vertical"
        data={bars}
        responsive
        style={{ width: '100%', height }}
        margin={{ top: 8, right: 16, bottom: 4, left: 0 }}
        accessibilityLayer={false}
      >
        <CartesianGrid stroke={COLORS.grid} horizontal={false} />
        <XAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tick={AXIS_TICK} />
        <YAxis
          type="category"
          dataKey="label"
          width={170}
          interval={0}
          tick={AXIS_TICK}
          tickFormatter={(label: string) => `${label}  ${textOf.get(label) ?? 'n/a'}`}
        />
        <ReferenceLine x={0.5} stroke={COLORS.chance} strokeDasharray="4 3" />
        <Bar dataKey="auroc" name="AUROC" fill={COLORS.bar} isAnimationActive={false} barSize={14} />
      </BarChart>
    </ChartFigure>
  );
}
