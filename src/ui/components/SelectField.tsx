/** A labelled <select> over a fixed list of options (typed values, text shown to the user). */
import { useId, type ReactNode } from 'react';

export interface SelectOption<T extends string> {
  value: T;
  text: string;
  disabled?: boolean;
}

interface Props<T extends string> {
  label: string;
  value: T;
  options: readonly SelectOption<T>[];
  onChange(value: T): void;
  disabled?: boolean;
  children?: ReactNode;
  /** The setting's word (controls.ts), as the select's name. */
  name?: string;
}

export function SelectField<T extends string>({ label, value, options, onChange, disabled, children, name }: Props<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        disabled={disabled}
        aria-describedby={children ? `${id}-note` : undefined}
        onChange={(e) => {
          const picked = options.find((o) => o.value === e.target.value);
          if (picked) onChange(picked.value);
        }}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value} disabled={o.disabled}>
            {o.text}
          </option>
        ))}
      </select>
      {children && (
        <div id={`${id}-note`} className="field-help">
          {children}
        </div>
      )}
    </div>
  );
}
