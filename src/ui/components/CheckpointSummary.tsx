/** What a checkpoint load did: file, format, inferred architecture, and the loaded / ignored / missing / new keys. */
import './CheckpointSummary.css';
import { describeArch, presetForArch } from '../view/checkpointView';
import { formatCount } from '../view/format';
import type { CheckpointInfo } from '../../run/modelFiles';
import { PRESET_LABELS } from '../view/labels';

function KeyList({ title, keys, hint }: { title: string; keys: string[]; hint: string }) {
  const head = `${title}: ${formatCount(keys.length)} ${keys.length === 1 ? 'key' : 'keys'}`;
  if (keys.length === 0) return <li className="key-list">{head}</li>;
  return (
    <li className="key-list">
      <details>
        <summary>
          {head} <span className="muted">({hint})</span>
        </summary>
        <ul className="keys">
          {keys.map((k) => (
            <li key={k}>
              <code>{k}</code>
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}

export function CheckpointSummary({ info }: { info: CheckpointInfo }) {
  const preset = presetForArch(info.arch);
  return (
    <div className="checkpoint-summary" role="group" aria-label="Checkpoint summary">
      <dl>
        <dt>File</dt>
        <dd>{info.fileName}</dd>
        <dt>Format</dt>
        <dd>{info.sourceFormat}</dd>
        <dt>Architecture</dt>
        <dd>
          {describeArch(info.arch)}
          {preset ? ` (${PRESET_LABELS[preset]})` : ' (no preset matches: the model is built as inferred)'}
        </dd>
      </dl>
      <ul className="key-lists">
        <KeyList title="Loaded" keys={info.loaded} hint="weights taken from the file" />
        <KeyList title="Ignored" keys={info.ignored} hint="decoder, mask token, text branch and other keys the ViT does not use" />
        <KeyList title="Missing" keys={info.missing} hint="expected by the ViT but not in the file" />
        <KeyList title="Newly initialised" keys={info.newlyInitialised} hint="e.g. fc_norm and the classification head" />
      </ul>
      {info.notes.length > 0 && (
        <ul className="notes">
          {info.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
