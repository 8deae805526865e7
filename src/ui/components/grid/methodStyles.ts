/**
 * How each method is drawn in the results chart: a colour from the lab's chart palette (chartTheme.ts, WCAG AA on
 * white) and a dash pattern and dot shape of its own, so the lines stay apart without colour (WCAG 1.4.1).
 */
import type { Method } from '../../../run/loraConfig';
import { COLORS } from '../charts/chartTheme';

export const METHOD_STYLES: Record<Method, { stroke: string; dash: string | undefined; dot: 'circle' | 'square' | 'triangle' }> = {
  lora: { stroke: COLORS.smoothed, dash: undefined, dot: 'circle' },
  fft: { stroke: COLORS.val, dash: '7 4', dot: 'square' },
  linear: { stroke: COLORS.marker, dash: '2 3', dot: 'triangle' },
};
