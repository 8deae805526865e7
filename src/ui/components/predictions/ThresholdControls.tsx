/**
 * The label the ROC view looks at and the decision threshold (a probability at or above it is called positive). The
 * slider moves by 0.01 with the arrow keys (Page Up / Down by 0.1, Home / End to the ends), as any range input.
 */
import { useId } from 'react';
import { formatThreshold, THRESHOLD_STEP } from '../../view/rocView';
import { SelectField } from '../SelectField';

interface Props {
  labels: string[];
  label: number;
  onLabel(index: number): void;
  threshold: number;
  onThreshold(t: number): void;
}

export function ThresholdControls({ labels, label, onLabel, threshold, onThreshold }: Props) {
  const id = useId();
  return (
    <div className="threshold-controls">
      <SelectField
        label="Label"
        value={String(label)}
        options={labels.map((l, i) => ({ value: String(i), text: l }))}
        onChange={(v) => onLabel(Number(v))}
      />
      <div className="field threshold-field">
        <label htmlFor={id}>Threshold: {formatThreshold(threshold)}</label>
        <input
          id={id}
          type="range"
          min={0}
          max={1}
          step={THRESHOLD_STEP}
          value={threshold}
          aria-valuetext={`${formatThreshold(threshold)}: a probability of ${formatThreshold(threshold)} or more is called positive`}
          aria-describedby={`${id}-help`}
          onChange={(e) => onThreshold(Number(e.target.value))}
        />
        <span id={`${id}-help`} className="field-help">
          A probability at or above the threshold is called positive. Arrow keys move it by {THRESHOLD_STEP}.
        </span>
      </div>
    </div>
  );
}
