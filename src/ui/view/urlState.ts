/**
 * The URL is the lesson (as in TensorFlow Playground's state.ts): one table of properties, keyed by the settings'
 * own words (LabSettings / RunConfig / LoraConfig field names), drives both directions. `serialise` writes only what
 * differs from the defaults, so links stay short; `parse` restores a state and says, in one note each, which keys it
 * did not know and which values it refused (a refused value keeps its default; nothing throws). Numbers are checked
 * with the rules of settingsProblems itself. Pure; tested in tests/ui/urlState.test.ts.
 *
 * Besides the settings: `dataset` (a stored dataset, by name), `backend` (read at start-up by backendParam.ts, which
 * also reports a bad value), `demo` (load the bundled demo on a first visit), and the classroom flags `hide`
 * (section and control ids, controls.ts), `explanations=off` and `autostart`.
 */
import { BACKEND_NAMES, type BackendName } from '../../run/backends';
import type { LoraTargets, Method, QkvPart } from '../../run/loraConfig';
import { RECIPE_IDS, recipeValues, type RecipeId } from '../../run/recipes';
import type { Initialisation, OptimizerName } from '../../run/records';
import { VIT_PRESETS, type VitPresetName } from '../../run/vitConfig';
import { isHideableId } from './controls';
import { defaultSettings, settingsProblems, type LabSettings } from './runSettings';

export interface UrlState {
  settings: LabSettings;
  /** The stored dataset to select, by its name. */
  dataset?: string;
  /** The backend forced by `?backend=` (absent: the fastest is chosen). */
  backend?: BackendName;
  /** `?demo`: load the bundled demo dataset when the browser has none stored. */
  demo: boolean;
  /** Section and control ids that are not rendered (controls.ts). */
  hidden: string[];
  /** The "What is this?" explanations are offered (`explanations=off` removes them). */
  explanations: boolean;
  /** Start training as soon as the page can (dataset ready, backend chosen). */
  autostart: boolean;
}

export function defaultUrlState(): UrlState {
  return { settings: defaultSettings(), demo: false, hidden: [], explanations: true, autostart: false };
}

const METHODS: readonly Method[] = ['lora', 'fft', 'linear'];
const PRESETS = Object.keys(VIT_PRESETS) as VitPresetName[];
const INITIALISATIONS: readonly Initialisation[] = ['random', 'pretrained-demo', 'checkpoint'];
const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'adamw'];
const TARGETS = ['q', 'k', 'v', 'proj', 'fc1', 'fc2'] as const;
const QKV: readonly QkvPart[] = ['q', 'k', 'v'];

/**
 * What the other settings default to for a method, recipe and number of steps: the recipe's values for them, with
 * warm-up a fraction of the steps (below them), as the page's recipe fields set it.
 */
export function derivedDefaults(method: Method, recipe: RecipeId, totalSteps: number): LabSettings {
  const values = recipeValues(recipe, method, totalSteps);
  return { ...defaultSettings(), method, recipe, totalSteps, ...values, warmupSteps: Math.min(values.warmupSteps, totalSteps - 1) };
}

/** One setting in the URL: its word, how it reads from the settings and how a URL value goes back in. */
interface SettingProp {
  key: string;
  get(s: LabSettings): string | undefined;
  /** null: the text is not a value of this setting (`expect` says what would be). */
  set(s: LabSettings, raw: string): LabSettings | null;
  expect: string;
  /** Back to the value of `base` (default: set from base's text). */
  reset?(s: LabSettings, base: LabSettings): LabSettings;
}

function reset(prop: SettingProp, s: LabSettings, base: LabSettings): LabSettings {
  if (prop.reset) return prop.reset(s, base);
  const next = prop.set(s, prop.get(base) ?? '');
  if (!next) throw new Error(`the default of ${prop.key} does not read back`);
  return next;
}

function parseNumber(raw: string): number | null {
  if (raw.trim() === '') return null;
  const v = Number(raw);
  return Number.isFinite(v) ? v : null;
}

function parseBoolean(raw: string): boolean | null {
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return null;
}

type Keys<T, V> = { [K in keyof T]: T[K] extends V ? K : never }[keyof T] & string;

function numberProp(key: Keys<LabSettings, number>): SettingProp {
  return { key, expect: 'a number', get: (s) => String(s[key]), set: (s, raw) => (parseNumber(raw) === null ? null : { ...s, [key]: parseNumber(raw) }) };
}

function booleanProp(key: Keys<LabSettings, boolean>): SettingProp {
  return { key, expect: 'true or false', get: (s) => String(s[key]), set: (s, raw) => (parseBoolean(raw) === null ? null : { ...s, [key]: parseBoolean(raw) }) };
}

function enumProp<K extends Keys<LabSettings, string>>(key: K, values: readonly LabSettings[K][]): SettingProp {
  return {
    key,
    expect: `one of ${values.join(', ')}`,
    get: (s) => s[key] as string,
    set: (s, raw) => (values.includes(raw as LabSettings[K]) ? { ...s, [key]: raw } : null),
  };
}

function loraNumberProp(key: 'r' | 'lora_alpha' | 'lora_dropout'): SettingProp {
  return {
    key,
    expect: 'a number',
    get: (s) => String(s.lora[key]),
    set: (s, raw) => (parseNumber(raw) === null ? null : { ...s, lora: { ...s.lora, [key]: parseNumber(raw) } }),
  };
}

const USE_RSLORA_PROP: SettingProp = {
  key: 'use_rslora',
  expect: 'true or false',
  get: (s) => String(s.lora.use_rslora),
  set: (s, raw) => (parseBoolean(raw) === null ? null : { ...s, lora: { ...s.lora, use_rslora: parseBoolean(raw)! } }),
};

function targetsText(t: LoraTargets): string {
  return TARGETS.filter((name) => (name === 'q' || name === 'k' || name === 'v' ? t.qkv.includes(name) : t[name])).join(',');
}

const TARGETS_PROP: SettingProp = {
  key: 'targets',
  expect: `a comma-separated list of ${TARGETS.join(', ')}`,
  get: (s) => targetsText(s.lora.targets),
  set: (s, raw) => {
    const names = raw.split(',').map((n) => n.trim()).filter((n) => n !== '');
    if (!names.every((n) => (TARGETS as readonly string[]).includes(n))) return null;
    // q | k | v in the fused projection's row order.
    const targets: LoraTargets = { qkv: QKV.filter((p) => names.includes(p)), proj: names.includes('proj'), fc1: names.includes('fc1'), fc2: names.includes('fc2') };
    return { ...s, lora: { ...s.lora, targets } };
  },
};

const CHECKPOINT_PROP: SettingProp = {
  key: 'checkpointId',
  expect: 'a cached checkpoint id',
  // Remembered in the settings after switching away, but only meaningful (and only sent to the worker) when used.
  get: (s) => (s.initialisation === 'checkpoint' ? s.checkpointId : undefined),
  set: (s, raw) => (raw === '' ? null : { ...s, checkpointId: raw }),
  reset: (s, base) => ({ ...s, checkpointId: base.checkpointId }),
};

/** The three settings the others' defaults follow (derivedDefaults); read first, checked on their own. */
const CASCADE: readonly SettingProp[] = [enumProp('method', METHODS), enumProp('recipe', RECIPE_IDS), numberProp('totalSteps')];

/** Every setting, in the URL's order. */
const SETTINGS: readonly SettingProp[] = [
  CASCADE[0],
  enumProp('preset', PRESETS),
  enumProp('initialisation', INITIALISATIONS),
  CHECKPOINT_PROP,
  CASCADE[1],
  enumProp('optimizer', OPTIMIZERS),
  numberProp('baseLr'),
  booleanProp('scaleLrByBatch'),
  numberProp('minLr'),
  numberProp('warmupSteps'),
  numberProp('momentum'),
  numberProp('weightDecay'),
  numberProp('layerDecay'),
  numberProp('dropPath'),
  CASCADE[2],
  numberProp('batchSize'),
  numberProp('evalEvery'),
  numberProp('evalMaxImages'),
  booleanProp('augment'),
  numberProp('seed'),
  loraNumberProp('r'),
  loraNumberProp('lora_alpha'),
  loraNumberProp('lora_dropout'),
  USE_RSLORA_PROP,
  TARGETS_PROP,
];

/** The URL words that are not settings. */
const OTHER_KEYS = ['dataset', 'backend', 'demo', 'hide', 'explanations', 'autostart'] as const;

/** Every word the URL may hold, settings first (their UI names are the same words: controls.ts). */
export const URL_KEYS: readonly string[] = [...SETTINGS.map((p) => p.key), ...OTHER_KEYS];

/**
 * settingsProblems as a URL must satisfy it: the LoRA fields are checked whatever the method (switching to LoRA
 * later must not reveal a bad rank), and a checkpoint initialisation without an id is not a problem (the page takes
 * the newest cached checkpoint).
 */
function valueProblems(s: LabSettings): string[] {
  const checkpointId = s.checkpointId ?? (s.initialisation === 'checkpoint' ? 'newest cached' : undefined);
  return settingsProblems({ ...s, method: 'lora', checkpointId });
}

export function serialise(state: UrlState): URLSearchParams {
  const out = new URLSearchParams();
  const s = state.settings;
  if (state.dataset) out.set('dataset', state.dataset);
  const plain = defaultSettings();
  const derived = derivedDefaults(s.method, s.recipe, s.totalSteps);
  for (const prop of SETTINGS) {
    const value = prop.get(s);
    const base = CASCADE.includes(prop) ? prop.get(plain) : prop.get(derived);
    if (value !== undefined && value !== base) out.set(prop.key, value);
  }
  if (state.backend) out.set('backend', state.backend);
  if (state.demo) out.set('demo', '');
  if (state.hidden.length > 0) out.set('hide', state.hidden.join(','));
  if (!state.explanations) out.set('explanations', 'off');
  if (state.autostart) out.set('autostart', '');
  return out;
}

/** "?method=fft&demo&autostart": flags without "=", the rest as URLSearchParams encodes it; "" when empty. */
export function searchString(params: URLSearchParams): string {
  const parts = [...params].map(([k, v]) => (v === '' ? encodeURIComponent(k) : new URLSearchParams([[k, v]]).toString()));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function flag(raw: string): boolean | null {
  return raw === '' ? true : parseBoolean(raw);
}

export function parse(search: string): { state: UrlState; notes: string[] } {
  const params = new URLSearchParams(search);
  const notes: string[] = [];
  const refuse = (key: string, raw: string, why: string) => notes.push(`Ignored "${key}=${raw}" in the address: ${why}.`);
  for (const key of new Set(params.keys())) {
    if (!URL_KEYS.includes(key)) notes.push(`Ignored "${key}" in the address: no setting has that name.`);
  }

  // The three settings the others default from, each checked on its own.
  let cascade = defaultSettings();
  for (const prop of CASCADE) {
    const raw = params.get(prop.key);
    if (raw === null) continue;
    const next = prop.set(cascade, raw);
    const ok = next !== null && (prop.key !== 'totalSteps' || (Number.isInteger(next.totalSteps) && next.totalSteps > 0));
    if (ok) cascade = next;
    else refuse(prop.key, raw, prop.key === 'totalSteps' ? 'steps must be a whole number above 0' : `expected ${prop.expect}`);
  }
  const base = derivedDefaults(cascade.method, cascade.recipe, cascade.totalSteps);

  // The rest, each parsed on its own ...
  let s = base;
  const applied: { prop: SettingProp; raw: string }[] = [];
  for (const prop of SETTINGS) {
    const raw = params.get(prop.key);
    if (raw === null || CASCADE.includes(prop)) continue;
    const next = prop.set(s, raw);
    if (next === null) refuse(prop.key, raw, `expected ${prop.expect}`);
    else {
      s = next;
      applied.push({ prop, raw });
    }
  }
  // ... then together, with the page's own rules: while a rule fails, the URL value whose removal mends the most
  // goes back to its default (the latest such value first), and the note says which rule it broke.
  let problems = valueProblems(s);
  while (problems.length > 0 && applied.length > 0) {
    let pick = applied.length - 1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = applied.length - 1; i >= 0; i--) {
      const left = valueProblems(reset(applied[i].prop, s, base)).length;
      if (left < best) {
        best = left;
        pick = i;
      }
    }
    const [{ prop, raw }] = applied.splice(pick, 1);
    s = reset(prop, s, base);
    const after = valueProblems(s);
    const mended = problems.filter((p) => !after.includes(p));
    refuse(prop.key, raw, (mended.length > 0 ? mended : problems).join(' ').replace(/\.$/, ''));
    problems = after;
  }

  const state: UrlState = { ...defaultUrlState(), settings: s };
  const dataset = params.get('dataset');
  if (dataset !== null) {
    if (dataset.trim() === '') refuse('dataset', dataset, 'a stored dataset name was expected');
    else state.dataset = dataset;
  }
  const backend = params.get('backend')?.trim().toLowerCase();
  state.backend = BACKEND_NAMES.find((b) => b === backend);
  state.demo = params.has('demo');
  const hide = params.get('hide');
  if (hide !== null) {
    const ids = hide.split(',').map((id) => id.trim()).filter((id) => id !== '');
    for (const id of ids) if (!isHideableId(id)) refuse('hide', id, 'no section or control has that id');
    state.hidden = [...new Set(ids.filter(isHideableId))];
  }
  const explanations = params.get('explanations');
  if (explanations !== null) {
    if (explanations === 'off' || explanations === 'on') state.explanations = explanations === 'on';
    else refuse('explanations', explanations, 'expected on or off');
  }
  const autostart = params.get('autostart');
  if (autostart !== null) {
    const on = flag(autostart);
    if (on === null) refuse('autostart', autostart, 'expected no value, true or false');
    else state.autostart = on;
  }
  return { state, notes };
}
