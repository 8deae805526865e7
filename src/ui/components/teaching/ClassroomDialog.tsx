/**
 * "Classroom link": a modal dialog with a checkbox per section and per settings control to hide, plus "Hide the
 * explanations", "Start training automatically" and "Load the demo dataset"; it builds the link from the page's
 * current settings (urlState.ts) and copies it. A native <dialog> opened with showModal(): focus stays inside,
 * Escape closes it.
 */
import './ClassroomDialog.css';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { CONTROLS, SECTIONS } from '../../view/controls';
import { searchString, serialise, type UrlState } from '../../view/urlState';
import { copyText } from './copyText';

interface Props {
  open: boolean;
  onClose(): void;
  /** The page as it is now: its settings, dataset and backend go into the link. */
  current: UrlState;
  /** Page address without the query (origin + path). */
  base: string;
}

export function ClassroomDialog({ open, onClose, current, base }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const linkId = useId();
  const [hidden, setHidden] = useState<Set<string>>(() => new Set(current.hidden));
  const [explanations, setExplanations] = useState(current.explanations);
  const [autostart, setAutostart] = useState(current.autostart);
  const [demo, setDemo] = useState(true);
  const [copied, setCopied] = useState<string | undefined>();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      setCopied(undefined);
      d.showModal();
    }
    if (!open && d.open) d.close();
  }, [open]);

  const link = useMemo(
    () => `${base}${searchString(serialise({ ...current, hidden: [...hidden], explanations, autostart, demo }))}`,
    [base, current, hidden, explanations, autostart, demo],
  );

  const toggle = (id: string, on: boolean) =>
    setHidden((h) => {
      const next = new Set(h);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <dialog ref={dialog} className="classroom-dialog" aria-labelledby={`${linkId}-title`} onClose={onClose}>
      <h2 id={`${linkId}-title`}>Classroom link</h2>
      <p className="muted">
        The link carries every current setting. Tick what students should not see: hidden sections and controls are
        not shown at all, but their settings still apply.
      </p>
      <div className="classroom-sections">
        {SECTIONS.map((section) => {
          const sectionHidden = hidden.has(section.id);
          return (
            <fieldset key={section.id}>
              <legend>{section.label}</legend>
              <label className="check section-check">
                <input type="checkbox" checked={sectionHidden} onChange={(e) => toggle(section.id, e.target.checked)} />
                Hide the section {section.label}
              </label>
              {CONTROLS.filter((c) => c.section === section.id).map((c) => (
                <label key={c.id} className="check">
                  <input type="checkbox" checked={sectionHidden || hidden.has(c.id)} disabled={sectionHidden} onChange={(e) => toggle(c.id, e.target.checked)} />
                  Hide {c.label}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
      <fieldset>
        <legend>When a student opens the link</legend>
        <label className="check">
          <input type="checkbox" checked={!explanations} onChange={(e) => setExplanations(!e.target.checked)} />
          Hide the explanations (&quot;What is this?&quot;)
        </label>
        <label className="check">
          <input type="checkbox" checked={autostart} onChange={(e) => setAutostart(e.target.checked)} />
          Start training automatically
        </label>
        <label className="check">
          <input type="checkbox" checked={demo} onChange={(e) => setDemo(e.target.checked)} />
          Load the demo dataset when the student has none
        </label>
      </fieldset>
      <div className="field classroom-link">
        <label htmlFor={linkId}>Classroom link</label>
        <input id={linkId} type="text" readOnly value={link} onFocus={(e) => e.target.select()} />
      </div>
      <div className="button-row">
        <button type="button" className="primary" onClick={() => void copyText(link).then(setCopied)}>
          Copy classroom link
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p role="status" className="muted">
        {copied ?? ''}
      </p>
    </dialog>
  );
}
