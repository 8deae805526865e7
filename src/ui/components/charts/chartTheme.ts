/** Colours (WCAG AA against white for text-sized marks) and sizes shared by the charts. */
export const COLORS = {
  raw: '#8aa6cf',
  smoothed: '#1d4f91',
  val: '#b34700',
  marker: '#6b4fa0',
  bar: '#1d4f91',
  grid: '#e3e7ee',
  axis: '#4a5160',
  chance: '#8a8f99',
  text: '#1b1f27',
} as const;

export const CHART_HEIGHT = 220;
export const SMALL_CHART_HEIGHT = 170;
/** At most this many points per line: a 10,000-step run still redraws in a few milliseconds. */
export const MAX_POINTS = 600;
/** EMA weight of the smoothed loss (TensorBoard's default smoothing is 0.6; training steps here are noisier). */
export const LOSS_SMOOTHING = 0.9;
export const AXIS_TICK = { fontSize: 11, fill: COLORS.axis } as const;
