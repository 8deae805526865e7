/**
 * The experiment-grid form (issue 11): methods, label fractions (the study's 1 / 10 / 100 % or any), number of seeds,
 * the LoRA rank per fraction (the study's r 4 / 8 / 32 unless overridden), and the spec it becomes with the page's
 * other settings (model, backbone, recipe, steps, batch). Pure; tested in tests/ui/gridForm.test.ts.
 */
import { fractionLabel, MAX_GRID_SEEDS, STUDY_FRACTIONS, studyRank, type GridSpec } from '../../run/grid';
import type { Method } from '../../run/loraConfig';
import type { LabSettings } from './runSettings';
import { toRunConfig } from './runSettings';

export interface GridForm {
  methods: Method[];
  /** Chosen fractions among the study's three. */
  studyFractions: number[];
  /** An extra fraction in percent (empty: none). */
  otherPercent: string;
  seeds: number;
  /** Rank overrides by fraction label; absent: the study's rank for that fraction. */
  ranks: Record<string, number>;
}

export function defaultGridForm(): GridForm {
  return { methods: ['lora', 'fft', 'linear'], studyFractions: [...STUDY_FRACTIONS], otherPercent: '', seeds: 1, ranks: {} };
}

/** The chosen fractions, ascending; an unreadable "other" value is reported by gridFormProblems. */
export function gridFractions(form: GridForm): number[] {
  const out = new Set(form.studyFractions);
  const other = Number(form.otherPercent);
  if (form.otherPercent.trim() !== '' && other > 0 && other <= 100) out.add(other / 100);
  return [...out].sort((a, b) => a - b);
}

export function rankFor(form: GridForm, fraction: number): number {
  return form.ranks[fractionLabel(fraction)] ?? studyRank(fraction);
}

export function gridFormProblems(form: GridForm): string[] {
  const out: string[] = [];
  if (form.otherPercent.trim() !== '') {
    const v = Number(form.otherPercent);
    if (!(v > 0 && v <= 100)) out.push('The other label fraction must be a percentage above 0 and at most 100.');
  }
  if (!(Number.isInteger(form.seeds) && form.seeds >= 1 && form.seeds <= MAX_GRID_SEEDS)) out.push(`Seeds must be a whole number from 1 to ${MAX_GRID_SEEDS}.`);
  return out;
}

/** The grid the form and the page's settings describe; seeds are 1..n (the settings' seed is not used). */
export function gridSpecFrom(form: GridForm, settings: LabSettings, datasetId: string, datasetName: string): GridSpec {
  const { datasetId: _d, method: _m, seed: _s, trainFraction: _f, ...base } = toRunConfig(settings, datasetId);
  void [_d, _m, _s, _f];
  const fractions = gridFractions(form);
  return {
    name: `${datasetName}: ${form.methods.join(' / ')} x ${fractions.map(fractionLabel).join(', ')} x ${form.seeds} seed${form.seeds === 1 ? '' : 's'}`,
    datasetId,
    methods: [...form.methods],
    fractions,
    seeds: Array.from({ length: form.seeds }, (_, i) => i + 1),
    ranks: Object.fromEntries(fractions.map((f) => [fractionLabel(f), rankFor(form, f)])),
    recipe: settings.recipe,
    base,
  };
}
