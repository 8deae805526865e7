/**
 * LoRA options beyond rank and alpha: targets (the study adapts Q and V of attn.qkv only), rsLoRA scaling and
 * adapter dropout. Names follow HF PEFT.
 */
import type { LabSettings } from '../view/runSettings';
import { NumberField } from './NumberField';
import { Shown } from './teaching/Shown';
import type { LoraTargets, QkvPart } from '../../run/loraConfig';

interface Props {
  settings: LabSettings;
  onChange(next: LabSettings): void;
  locked: boolean;
}

const QKV_PARTS: { part: QkvPart; text: string }[] = [
  { part: 'q', text: 'Q (attn.qkv)' },
  { part: 'k', text: 'K (attn.qkv)' },
  { part: 'v', text: 'V (attn.qkv)' },
];
const LINEAR_TARGETS: { key: 'proj' | 'fc1' | 'fc2'; text: string }[] = [
  { key: 'proj', text: 'attn.proj' },
  { key: 'fc1', text: 'mlp.fc1' },
  { key: 'fc2', text: 'mlp.fc2' },
];

export function LoraOptions({ settings, onChange, locked }: Props) {
  const lora = settings.lora;
  const setTargets = (targets: LoraTargets) => onChange({ ...settings, lora: { ...lora, targets } });
  const toggleQkv = (part: QkvPart, on: boolean) => {
    // Keep q | k | v order: it is the order of the fused projection's rows.
    const qkv = QKV_PARTS.map((p) => p.part).filter((p) => (p === part ? on : lora.targets.qkv.includes(p)));
    setTargets({ ...lora.targets, qkv });
  };
  return (
    <fieldset className="lora-options" disabled={locked}>
      <legend>LoRA targets and scaling</legend>
      <Shown id="targets">
        <div className="checks">
          {QKV_PARTS.map(({ part, text }) => (
            <label key={part} className="check">
              <input type="checkbox" name="targets" value={part} checked={lora.targets.qkv.includes(part)} onChange={(e) => toggleQkv(part, e.target.checked)} />
              {text}
            </label>
          ))}
          {LINEAR_TARGETS.map(({ key, text }) => (
            <label key={key} className="check">
              <input type="checkbox" name="targets" value={key} checked={lora.targets[key]} onChange={(e) => setTargets({ ...lora.targets, [key]: e.target.checked })} />
              {text}
            </label>
          ))}
        </div>
        <p className="muted">The study adapts Q and V only.</p>
      </Shown>
      <div className="grid-2">
        <Shown id="lora_dropout">
          <NumberField
            name="lora_dropout"
            label="LoRA dropout"
            value={lora.lora_dropout}
            min={0}
            max={0.99}
            step={0.05}
            onChange={(lora_dropout) => onChange({ ...settings, lora: { ...lora, lora_dropout } })}
          />
        </Shown>
        <Shown id="use_rslora">
          <label className="check align-end">
            <input type="checkbox" name="use_rslora" checked={lora.use_rslora} onChange={(e) => onChange({ ...settings, lora: { ...lora, use_rslora: e.target.checked } })} />
            rsLoRA scaling (alpha / √r)
          </label>
        </Shown>
      </div>
    </fieldset>
  );
}
