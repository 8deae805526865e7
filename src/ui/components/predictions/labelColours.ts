/**
 * One colour per label for the ROC curves: eight colours with at least 3:1 contrast against white (WCAG 1.4.11 for
 * graphics), told apart by hue; labels beyond the eighth reuse them with a dashed line.
 */
const LABEL_COLOURS = ['#1d4f91', '#b34700', '#2e7d32', '#8e24aa', '#c62828', '#00796b', '#6d4c41', '#5c6bc0'] as const;

export function labelColour(index: number): string {
  return LABEL_COLOURS[index % LABEL_COLOURS.length];
}

export function labelDash(index: number): string | undefined {
  return index >= LABEL_COLOURS.length ? '6 3' : undefined;
}
