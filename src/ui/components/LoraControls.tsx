/**
 * Section 3: the LoRA rank and alpha sliders and the trainable-parameter count (page contract, issue 2).
 * During a run a change goes to the trainer (setLora) and applies at its next step: drags are debounced by
 * 150 ms, keyboard steps go at once, and the reply's count is shown immediately.
 */
import './LoraControls.css';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { formatMetric, formatParamStatus } from '../view/format';
import type { LabSettings } from '../view/runSettings';
import { debounce } from '../view/throttle';
import { LoraSlider } from './LoraSlider';
import { Shown } from './teaching/Shown';
import type { ParamCount } from '../../run/paramCount';
import { LORA_ALPHA_RANGE, LORA_RANK_RANGE, loraScaling } from '../../run/loraConfig';
export const DRAG_DEBOUNCE_MS = 150;

/** The study's suggested ranks by label fraction (docs/study.md, "Recipe"). */
const STUDY_RANK_HINT = 'The study suggests rank 4 with 1 % of the labels, 8–32 with 10 %, and 32 with 100 % (alpha 32).';

type LoraChange = { r?: number; lora_alpha?: number };

interface Props {
  settings: LabSettings;
  onChange(next: LabSettings): void;
  /** A run is active: changes go to the trainer. */
  live: boolean;
  sendLive(change: LoraChange): void;
  params?: ParamCount;
  paramsError?: string;
  numClasses: number;
  datasetChosen: boolean;
  /** The section's "What is this?". */
  explanation?: ReactNode;
}

export function LoraControls({ settings, onChange, live, sendLive, params, paramsError, numClasses, datasetChosen, explanation }: Props) {
  const pending = useRef<LoraChange>({});
  const sendRef = useRef(sendLive);
  useEffect(() => {
    sendRef.current = sendLive;
  }, [sendLive]);
  const send = useMemo(
    () =>
      debounce(() => {
        const change = pending.current;
        pending.current = {};
        if (change.r !== undefined || change.lora_alpha !== undefined) sendRef.current(change);
      }, DRAG_DEBOUNCE_MS),
    [],
  );
  useEffect(() => () => send.cancel(), [send]);

  const isLora = settings.method === 'lora';
  const change = (key: 'r' | 'lora_alpha', value: number, fromDrag: boolean) => {
    onChange({ ...settings, lora: { ...settings.lora, [key]: value } });
    if (!live) return;
    pending.current = { ...pending.current, [key]: value };
    send.call();
    if (!fromDrag) send.flush();
  };

  return (
    <section className="panel">
      <h2>3. LoRA adapter</h2>
      {explanation}
      <div className="sliders">
        <Shown id="r">
          <LoraSlider
            label="LoRA rank"
            value={settings.lora.r}
            min={LORA_RANK_RANGE.min}
            max={LORA_RANK_RANGE.max}
            disabled={!isLora}
            onChange={(v, fromDrag) => change('r', v, fromDrag)}
            onRelease={() => send.flush()}
          />
        </Shown>
        <Shown id="lora_alpha">
          <LoraSlider
            label="LoRA alpha"
            value={settings.lora.lora_alpha}
            min={LORA_ALPHA_RANGE.min}
            max={LORA_ALPHA_RANGE.max}
            disabled={!isLora}
            onChange={(v, fromDrag) => change('lora_alpha', v, fromDrag)}
            onRelease={() => send.flush()}
          />
        </Shown>
      </div>
      <p className="muted">
        {isLora
          ? `Scaling ${settings.lora.use_rslora ? 'alpha / √r' : 'alpha / r'} = ${formatMetric(loraScaling(settings.lora))}.${live ? ' Changes apply at the next training step.' : ''}`
          : 'The sliders apply to the LoRA method only.'}
      </p>
      <p role="status" className="param-status">
        {params ? formatParamStatus(params) : paramsError ? `Trainable parameters: unknown (${paramsError})` : 'Trainable parameters: counting…'}
      </p>
      {!datasetChosen && <p className="muted">Counted for {numClasses} outputs until a dataset is chosen.</p>}
      {isLora && <p className="muted">{STUDY_RANK_HINT}</p>}
    </section>
  );
}
