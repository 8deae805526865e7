/**
 * A section's "What is this?": a native <details> a student opens with a click or Enter / Space; its body is built
 * only while open (so a drawing or a worker call happens only when someone reads it). A classroom link with
 * `explanations=off` removes them all.
 */
import './Explanation.css';
import { useState, type ReactNode } from 'react';
import { useClassroom } from '../../hooks/useClassroom';

interface Props {
  /** The section it explains, for the summary's accessible name ("What is this? (LoRA adapter)"). */
  topic: string;
  children: ReactNode;
}

export function Explanation({ topic, children }: Props) {
  const { explanations } = useClassroom();
  const [open, setOpen] = useState(false);
  if (!explanations) return null;
  return (
    <details className="explanation" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        What is this?<span className="visually-hidden"> ({topic})</span>
      </summary>
      {open && <div className="explanation-body">{children}</div>}
    </details>
  );
}
