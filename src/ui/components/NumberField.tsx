/**
 * A labelled number input that lets the user type freely ("0.", "1e-") and commits only valid numbers, so a
 * half-typed value never reaches the settings. An invalid entry is marked and explained, not silently replaced.
 */
import { useEffect, useId, useState } from 'react';

interface Props {
  label: string;
  value: number;
  onChange(value: number): void;
  min?: number;
  max?: number;
  step?: number | 'any';
  integer?: boolean;
  disabled?: boolean;
  hint?: string;
  /** The setting's word (controls.ts), as the input's name. */
  name?: string;
}

function parse(text: string, integer: boolean, min?: number, max?: number): number | undefined {
  if (text.trim() === '') return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) return undefined;
  if (integer && !Number.isInteger(v)) return undefined;
  if (min !== undefined && v < min) return undefined;
  if (max !== undefined && v > max) return undefined;
  return v;
}

export function NumberField({ label, value, onChange, min, max, step = 'any', integer = false, disabled, hint, name }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  // Follow outside changes (a recipe preset) unless the text already means that value.
  useEffect(() => {
    setText((t) => (Number(t) === value && t.trim() !== '' ? t : String(value)));
  }, [value]);
  const invalid = parse(text, integer, min, max) === undefined;
  const rangeText = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(', ');
  const help = invalid ? `Enter ${integer ? 'a whole number' : 'a number'}${rangeText ? ` (${rangeText})` : ''}.` : hint;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        value={text}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={help ? `${id}-help` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const v = parse(e.target.value, integer, min, max);
          if (v !== undefined && v !== value) onChange(v);
        }}
      />
      {help && (
        <span id={`${id}-help`} className={invalid ? 'field-help field-error' : 'field-help'}>
          {help}
        </span>
      )}
    </div>
  );
}
