/**
 * A LoRA slider: a native range input (aria-valuenow is the number, arrow keys step by 1) with its value shown.
 * Reports whether a change came from a drag (the parent debounces those) or from the keyboard (applied at once).
 */
import './LoraSlider.css';
import { useId, useRef } from 'react';

interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  disabled?: boolean;
  hint?: string;
  onChange(value: number, fromDrag: boolean): void;
  /** The pointer was released: a debounced drag value should go out now. */
  onRelease(): void;
}

export function LoraSlider({ label, value, min, max, disabled, hint, onChange, onRelease }: Props) {
  const id = useId();
  const dragging = useRef(false);
  const release = () => {
    if (!dragging.current) return;
    dragging.current = false;
    onRelease();
  };
  return (
    <div className="slider-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={1}
        value={value}
        // Native ranges expose their value to assistive tech already; the explicit attribute makes it readable
        // from the DOM too (the page contract: aria-valuenow is the rank / alpha itself).
        aria-valuenow={value}
        aria-valuemin={min}
        aria-valuemax={max}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onPointerDown={() => {
          dragging.current = true;
        }}
        onPointerUp={release}
        onPointerCancel={release}
        onBlur={release}
        onChange={(e) => onChange(Number(e.target.value), dragging.current)}
      />
      <output htmlFor={id} className="slider-value" aria-hidden="true">
        {value}
      </output>
      {hint && (
        <span id={`${id}-hint`} className="field-help">
          {hint}
        </span>
      )}
    </div>
  );
}
