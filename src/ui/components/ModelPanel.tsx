/**
 * Section 2: method, model size, initialisation, and the recipe. Everything here is fixed once a run starts,
 * except "Evaluate every", which the running trainer accepts (setEvalEvery). The model size follows the backbone
 * when one is loaded: the demo backbone is the tiny preset, a checkpoint brings its own architecture.
 */
import { useEffect, useId, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import { type VitPresetName } from '../../run/vitConfig';
import { describeArch, presetForArch } from '../view/checkpointView';
import type { Checkpoints } from '../hooks/useCheckpoints';
import { withCheckpoint, withMethod, withPreset, type LabSettings } from '../view/runSettings';
import { CheckpointLoader } from './CheckpointLoader';
import { LoraOptions } from './LoraOptions';
import { RecipeFields } from './RecipeFields';
import { SelectField, type SelectOption } from './SelectField';
import { Shown } from './teaching/Shown';
import { useClassroom } from '../hooks/useClassroom';
import type { Initialisation } from '../../run/records';
import { METHOD_LABELS, PRESET_LABELS } from '../view/labels';
import { type Method } from '../../run/loraConfig';

const METHOD_OPTIONS: SelectOption<Method>[] = (Object.keys(METHOD_LABELS) as Method[]).map((m) => ({ value: m, text: METHOD_LABELS[m] }));
const PRESET_OPTIONS: SelectOption<VitPresetName>[] = (Object.keys(PRESET_LABELS) as VitPresetName[]).map((p) => ({
  value: p,
  text: PRESET_LABELS[p],
}));
/** The bundled backbone (public/models/demo-mae-tiny.safetensors) has the tiny preset's shapes. */
const DEMO_BACKBONE_PRESET: VitPresetName = 'tiny';

function initOptions(preset: VitPresetName): SelectOption<Initialisation>[] {
  return [
    { value: 'random', text: 'Random initialisation' },
    { value: 'pretrained-demo', text: 'Pretrained demo backbone', disabled: preset !== DEMO_BACKBONE_PRESET },
    { value: 'checkpoint', text: 'Load checkpoint…' },
  ];
}

interface Props {
  settings: LabSettings;
  /** Takes an updater too: a checkpoint finishes loading after other settings may have changed. */
  onChange: Dispatch<SetStateAction<LabSettings>>;
  /** A run is active: only "Evaluate every" stays editable. */
  locked: boolean;
  onEvalEveryLive(n: number): void;
  checkpoints: Checkpoints;
  backendReady: boolean;
  /** The section's "What is this?". */
  explanation?: ReactNode;
}

export function ModelPanel({ settings, onChange, locked, onEvalEveryLive, checkpoints, backendReady, explanation }: Props) {
  const archId = useId();
  const { shown } = useClassroom();
  const loraOptionsShown = shown('targets') || shown('lora_dropout') || shown('use_rslora');
  const chosen = settings.initialisation === 'checkpoint' ? checkpoints.cached.find((c) => c.id === settings.checkpointId) : undefined;
  const customArch = chosen && !presetForArch(chosen.arch) ? chosen.arch : undefined;
  const sizeFollowsBackbone = settings.initialisation === 'pretrained-demo' || chosen !== undefined;

  const setInitialisation = (initialisation: Initialisation) => {
    if (initialisation === 'pretrained-demo') return onChange({ ...settings, initialisation, preset: DEMO_BACKBONE_PRESET });
    onChange({ ...settings, initialisation });
  };

  // With "Load checkpoint…" and none chosen, offer the newest cached one (the list may arrive after the choice), so
  // a reload needs no file. Cached checkpoints are listed oldest first.
  const { cached } = checkpoints;
  const needsCheckpoint = settings.initialisation === 'checkpoint' && !cached.some((c) => c.id === settings.checkpointId);
  useEffect(() => {
    const newest = cached.at(-1);
    if (needsCheckpoint && newest && !locked) onChange((s) => withCheckpoint(s, newest));
  }, [needsCheckpoint, cached, locked, onChange]);

  return (
    <section className="panel">
      <h2>2. Model and method</h2>
      {explanation}
      <div className="grid-2">
        <Shown id="method">
          <SelectField name="method" label="Method" value={settings.method} options={METHOD_OPTIONS} onChange={(m) => onChange(withMethod(settings, m))} disabled={locked} />
        </Shown>
        <Shown id="preset">
          {customArch ? (
            <div className="field">
              <label htmlFor={archId}>Model size</label>
              <input id={archId} type="text" readOnly value={`From the checkpoint: ${describeArch(customArch)}`} />
            </div>
          ) : (
            <SelectField
              name="preset"
              label="Model size"
              value={settings.preset}
              options={PRESET_OPTIONS}
              onChange={(preset) => onChange(withPreset(settings, preset, checkpoints.cached))}
              disabled={locked || sizeFollowsBackbone}
            >
              {sizeFollowsBackbone ? 'Set by the backbone.' : undefined}
            </SelectField>
          )}
        </Shown>
      </div>
      <Shown id="initialisation">
        <SelectField
          name="initialisation"
          label="Initialisation"
          value={settings.initialisation}
          options={initOptions(settings.preset)}
          onChange={setInitialisation}
          disabled={locked}
        >
          {settings.initialisation === 'random' && (
            <p className="notice">
              The backbone starts from random weights (no pretrained model loaded): LoRA and the linear probe adapt a
              pretrained model, so on random weights they learn little. Choose a pretrained backbone for a real run.
            </p>
          )}
          {settings.initialisation === 'pretrained-demo' && (
            <p className="muted">
              The project&apos;s tiny ViT, pretrained by masked autoencoding (MAE) on NIH ChestX-ray14 images without their
              labels; the classification head starts fresh.
            </p>
          )}
          {settings.initialisation !== 'pretrained-demo' && settings.preset !== DEMO_BACKBONE_PRESET && (
            <p className="muted">The pretrained demo backbone exists for the Tiny demo model size only.</p>
          )}
        </SelectField>
      </Shown>
      {settings.initialisation === 'checkpoint' && (
        <CheckpointLoader
          checkpoints={checkpoints}
          chosenId={settings.checkpointId}
          onChoose={(info) => onChange((current) => withCheckpoint(current, info))}
          disabled={locked}
          backendReady={backendReady}
        />
      )}
      {settings.method === 'lora' && loraOptionsShown && <LoraOptions settings={settings} onChange={onChange} locked={locked} />}
      <RecipeFields settings={settings} onChange={onChange} locked={locked} onEvalEveryLive={onEvalEveryLive} />
    </section>
  );
}
