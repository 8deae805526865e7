/**
 * A chart as one image for assistive technology: role="img" with a fixed name (the page contract), a visible
 * caption, and the latest numbers in words as its description (children of role=img are not read out).
 */
import './ChartFigure.css';
import { useId, type ReactNode } from 'react';

interface Props {
  name: string;
  caption: ReactNode;
  summary: string;
  children: ReactNode;
  className?: string;
}

export function ChartFigure({ name, caption, summary, children, className }: Props) {
  const id = useId();
  return (
    <figure className={`chart${className ? ` ${className}` : ''}`} role="img" aria-label={name} aria-describedby={`${id}-summary`}>
      <figcaption>{caption}</figcaption>
      <div className="chart-body">{children}</div>
      <p id={`${id}-summary`} className="visually-hidden">
        {summary}
      </p>
    </figure>
  );
}
