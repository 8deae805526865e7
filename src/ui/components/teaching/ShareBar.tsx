/**
 * The page header's lesson tools: "Copy link" (the address with every current setting, as the URL already shows it)
 * and "Classroom link…" (the dialog that hides parts of the page for students).
 */
import { useState } from 'react';
import { searchString, serialise, type UrlState } from '../../view/urlState';
import { ClassroomDialog } from './ClassroomDialog';
import { copyText } from './copyText';

export function ShareBar({ current }: { current: UrlState }) {
  const [dialog, setDialog] = useState(false);
  const [copied, setCopied] = useState('');
  const base = `${location.origin}${location.pathname}`;
  return (
    <div className="share-bar">
      <div className="button-row">
        <button type="button" className="secondary" onClick={() => void copyText(`${base}${searchString(serialise(current))}`).then(setCopied)}>
          Copy link
        </button>
        <button type="button" className="secondary" aria-haspopup="dialog" onClick={() => setDialog(true)}>
          Classroom link…
        </button>
      </div>
      <p role="status" className="muted share-status">
        {copied}
      </p>
      {dialog && <ClassroomDialog open={dialog} onClose={() => setDialog(false)} current={current} base={base} />}
    </div>
  );
}
