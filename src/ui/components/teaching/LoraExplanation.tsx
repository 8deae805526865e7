/** Section 3's "What is this?": the LoRA update and its parameter count with the sliders' numbers, and the spectrum. */
import type { TrainerApi } from '../../../lab/trainer';
import type { LoraConfig } from '../../../run/loraConfig';
import { loraSites } from '../../../run/paramShapes';
import { siteId } from '../../../run/teaching';
import type { VitConfig } from '../../../run/vitConfig';
import { LORA_TEXT, loraFormula, loraParamFormula, SPECTRUM_TEXT } from '../../view/explanations';
import { AdapterSpectrum } from './AdapterSpectrum';

interface Props {
  trainer: TrainerApi;
  cfg: VitConfig;
  lora: LoraConfig;
  hasModel: boolean;
  step: number;
}

export function LoraExplanation({ trainer, cfg, lora, hasModel, step }: Props) {
  const f = loraFormula(lora);
  let count: ReturnType<typeof loraParamFormula> | undefined;
  let sites: string[] = [];
  try {
    count = loraParamFormula(cfg, lora);
    sites = loraSites(cfg, lora).map(siteId);
  } catch {
    count = undefined;
  }
  return (
    <>
      {LORA_TEXT.map((t) => (
        <p key={t}>{t}</p>
      ))}
      <p>
        Now: scaling = {f.rule} = <span className="formula">{f.scaling}</span>, so each adapted layer uses{' '}
        <span className="formula">{f.update}</span>.
      </p>
      {count && (
        <>
          <p>
            Numbers to learn: each adapted matrix needs r × (in + out). With r = {lora.r}:
          </p>
          <ul>
            {count.lines.map((l) => (
              <li key={l.what}>
                {l.what}: <span className="formula">{l.text}</span>
              </li>
            ))}
          </ul>
          <p>
            Adapter plus the new classifier (fc_norm and head): <span className="formula">{count.sum}</span> parameters of the model.
          </p>
        </>
      )}
      <p>{SPECTRUM_TEXT}</p>
      <AdapterSpectrum trainer={trainer} sites={sites} hasModel={hasModel} step={step} />
    </>
  );
}
