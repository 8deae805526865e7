import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/run/random';
import { RECIPES } from '../../src/run/recipes';
import { CONTROLS, isShown, SECTIONS } from '../../src/ui/view/controls';
import { defaultSettings, settingsProblems, type LabSettings } from '../../src/ui/view/runSettings';
import { defaultUrlState, derivedDefaults, parse, searchString, serialise, URL_KEYS, type UrlState } from '../../src/ui/view/urlState';

const roundTrip = (state: UrlState) => parse(searchString(serialise(state)));

/** A state as the page can hold it: checkpointId only matters (and only travels) with a checkpoint initialisation. */
function normalised(state: UrlState): UrlState {
  const s = { ...state.settings };
  if (s.initialisation !== 'checkpoint') delete s.checkpointId;
  return { ...state, settings: s };
}

function pick<T>(rand: () => number, values: readonly T[]): T {
  return values[Math.floor(rand() * values.length)];
}

/** A random state whose settings the page would accept (settingsProblems empty, LoRA fields valid too). */
function randomState(rand: () => number): UrlState {
  for (;;) {
    const totalSteps = pick(rand, [1, 7, 50, 200, 1000]);
    const s: LabSettings = {
      ...derivedDefaults(pick(rand, ['lora', 'fft', 'linear'] as const), pick(rand, ['mrm-sgd', 'mae-adamw'] as const), totalSteps),
    };
    s.initialisation = pick(rand, ['random', 'pretrained-demo', 'checkpoint'] as const);
    s.preset = s.initialisation === 'pretrained-demo' ? 'tiny' : pick(rand, ['tiny', 'vit_tiny_patch16', 'vit_small_patch16', 'vit_base_patch16'] as const);
    if (s.initialisation === 'checkpoint') s.checkpointId = pick(rand, ['vit-b.pth:1:2', 'a b&c=d/é.safetensors:9:9']);
    if (rand() < 0.5) s.optimizer = pick(rand, ['sgd', 'adamw'] as const);
    if (rand() < 0.5) s.baseLr = pick(rand, [0.1, 3e-3, 1.5e-4, 1e-7 * 3]);
    if (rand() < 0.5) s.minLr = pick(rand, [0, 1e-8, 1e-7]);
    if (rand() < 0.5) s.scaleLrByBatch = rand() < 0.5;
    if (rand() < 0.5) s.warmupSteps = Math.floor(rand() * totalSteps);
    if (rand() < 0.5) s.momentum = pick(rand, [0, 0.5, 0.95]);
    if (rand() < 0.5) s.weightDecay = pick(rand, [0, 0.3, 1e-4]);
    if (rand() < 0.5) s.layerDecay = pick(rand, [0.5, 0.75, 1]);
    if (rand() < 0.5) s.dropPath = pick(rand, [0, 0.2]);
    if (rand() < 0.5) s.batchSize = pick(rand, [1, 8, 64, 1024]);
    if (rand() < 0.5) s.evalEvery = pick(rand, [1, 5, 99]);
    if (rand() < 0.5) s.evalMaxImages = pick(rand, [1, 32, 5000]);
    if (rand() < 0.5) s.augment = rand() < 0.5;
    if (rand() < 0.5) s.seed = pick(rand, [0, -3, 123456]);
    const qkv = (['q', 'k', 'v'] as const).filter(() => rand() < 0.5);
    s.lora = {
      r: pick(rand, [1, 4, 8, 64]),
      lora_alpha: pick(rand, [1, 16, 32, 0.5 * 3, 128]),
      lora_dropout: pick(rand, [0, 0.1, 0.5]),
      use_rslora: rand() < 0.5,
      targets: { qkv: [...qkv], proj: rand() < 0.3, fc1: rand() < 0.3, fc2: rand() < 0.3 },
    };
    if (settingsProblems({ ...s, method: 'lora' }).length > 0) continue;
    return {
      settings: s,
      dataset: rand() < 0.5 ? pick(rand, ['Kermany pediatric pneumonia sample (demo)', 'NIH, 10 %', 'a&b=c?#d']) : undefined,
      backend: rand() < 0.5 ? pick(rand, ['webgpu', 'wasm', 'webgl', 'cpu'] as const) : undefined,
      demo: rand() < 0.5,
      hidden: rand() < 0.5 ? [pick(rand, SECTIONS).id, pick(rand, CONTROLS).id].filter((id, i, all) => all.indexOf(id) === i) : [],
      explanations: rand() < 0.5,
      autostart: rand() < 0.5,
    };
  }
}

describe('URL state: serialise and parse', () => {
  it('the defaults make an empty query, and an empty query gives the defaults without a note', () => {
    expect(searchString(serialise(defaultUrlState()))).toBe('');
    expect(parse('')).toEqual({ state: defaultUrlState(), notes: [] });
    expect(derivedDefaults('lora', 'mrm-sgd', 200)).toEqual(defaultSettings());
  });

  it('round-trips 500 random valid states exactly, with no note', () => {
    const rand = mulberry32(2024);
    for (let i = 0; i < 500; i++) {
      const state = randomState(rand);
      const back = roundTrip(state);
      expect(back.notes, searchString(serialise(state))).toEqual([]);
      expect(normalised(back.state)).toEqual(normalised(state));
    }
  });

  it('writes only what differs from the defaults: the recipe values follow method, recipe and steps', () => {
    const s = derivedDefaults('fft', 'mae-adamw', 400);
    expect(searchString(serialise({ ...defaultUrlState(), settings: s }))).toBe('?method=fft&recipe=mae-adamw&totalSteps=400');
    const { state } = parse('?method=fft&recipe=mae-adamw&totalSteps=400');
    expect(state.settings).toMatchObject({ baseLr: RECIPES['mae-adamw'].baseLr.fft, weightDecay: 0.05, layerDecay: 0.65, warmupSteps: 5, optimizer: 'adamw' });
    const changed = { ...s, baseLr: 1e-4, lora: { ...s.lora, r: 16, targets: { qkv: ['q' as const], proj: true, fc1: false, fc2: false } } };
    const text = searchString(serialise({ ...defaultUrlState(), settings: changed, dataset: 'NIH, 10 %', demo: true, hidden: ['grid', 'r'], explanations: false, autostart: true }));
    expect(text).toBe('?dataset=NIH%2C+10+%25&method=fft&recipe=mae-adamw&baseLr=0.0001&totalSteps=400&r=16&targets=q%2Cproj&demo&hide=grid%2Cr&explanations=off&autostart');
    // Warm-up stays below the steps when they are few.
    expect(parse('?totalSteps=1').state.settings.warmupSteps).toBe(0);
  });

  it('knows one word per setting: every control id is a URL key, and every settings field has a control', () => {
    for (const c of CONTROLS) expect(URL_KEYS).toContain(c.id);
    const fields = Object.keys(defaultSettings()).filter((k) => k !== 'lora');
    for (const k of [...fields, ...Object.keys(defaultSettings().lora)]) expect(URL_KEYS).toContain(k);
  });
});

describe('URL state: bad values are ignored with a note', () => {
  const cases: [string, RegExp, (s: UrlState) => void][] = [
    ['?color=red', /"color" .*no setting has that name/, (s) => expect(s).toEqual(defaultUrlState())],
    ['?method=dora', /"method=dora".*one of lora, fft, linear/, (s) => expect(s.settings.method).toBe('lora')],
    ['?totalSteps=0', /"totalSteps=0".*whole number above 0/, (s) => expect(s.settings.totalSteps).toBe(200)],
    ['?totalSteps=2.5', /"totalSteps=2.5"/, (s) => expect(s.settings.totalSteps).toBe(200)],
    ['?r=0', /"r=0".*LoRA rank must be a whole number from 1 to 64/, (s) => expect(s.settings.lora.r).toBe(8)],
    ['?r=65', /"r=65".*LoRA rank/, (s) => expect(s.settings.lora.r).toBe(8)],
    ['?method=fft&r=2.5', /"r=2.5".*LoRA rank/, (s) => expect(s.settings).toMatchObject({ method: 'fft', lora: { r: 8 } })],
    ['?lora_alpha=500', /LoRA alpha must be from 1 to 128/, (s) => expect(s.settings.lora.lora_alpha).toBe(32)],
    ['?baseLr=fast', /"baseLr=fast".*a number/, (s) => expect(s.settings.baseLr).toBe(0.05)],
    ['?baseLr=-1', /"baseLr=-1".*Learning rate must be above 0/, (s) => expect(s.settings.baseLr).toBe(0.05)],
    ['?minLr=0.5', /"minLr=0.5".*Minimum learning rate must be between 0 and the learning rate/, (s) => expect(s.settings.minLr).toBe(1e-6)],
    ['?warmupSteps=200', /"warmupSteps=200".*below the number of steps/, (s) => expect(s.settings.warmupSteps).toBe(10)],
    ['?batchSize=2000', /Batch size must be a whole number from 1 to 1024/, (s) => expect(s.settings.batchSize).toBe(16)],
    ['?augment=maybe', /"augment=maybe".*true or false/, (s) => expect(s.settings.augment).toBe(true)],
    ['?targets=q,x', /"targets=q,x".*comma-separated list/, (s) => expect(s.settings.lora.targets.qkv).toEqual(['q', 'v'])],
    ['?targets=', /"targets=".*Choose at least one LoRA target/, (s) => expect(s.settings.lora.targets.qkv).toEqual(['q', 'v'])],
    ['?preset=vit_base_patch16', /"preset=vit_base_patch16".*Tiny demo model size only/, (s) => expect(s.settings.preset).toBe('tiny')],
    ['?hide=grid,sidebar', /"hide=sidebar".*no section or control/, (s) => expect(s.hidden).toEqual(['grid'])],
    ['?explanations=maybe', /"explanations=maybe".*on or off/, (s) => expect(s.explanations).toBe(true)],
    ['?autostart=soon', /"autostart=soon"/, (s) => expect(s.autostart).toBe(false)],
    ['?dataset=', /"dataset=".*stored dataset name/, (s) => expect(s.dataset).toBeUndefined()],
  ];
  it.each(cases)('%s', (search, note, check) => {
    const { state, notes } = parse(search);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(note);
    check(state);
    // What is left always runs.
    expect(settingsProblems(state.settings)).toEqual([]);
  });

  it('keeps the good values beside a bad one, and needs both of two values that only fit together', () => {
    const { state, notes } = parse('?method=fft&r=0&batchSize=8&seed=4');
    expect(notes).toHaveLength(1);
    expect(state.settings).toMatchObject({ method: 'fft', batchSize: 8, seed: 4, lora: { r: 8 } });
    // A lower learning rate needs a lower minimum: both given, both kept.
    expect(parse('?baseLr=1e-7&minLr=1e-8')).toMatchObject({ notes: [], state: { settings: { baseLr: 1e-7, minLr: 1e-8 } } });
    // The lower learning rate alone is refused (the default minimum 1e-6 would exceed it), not the minimum.
    const alone = parse('?baseLr=1e-7');
    expect(alone.notes).toEqual(['Ignored "baseLr=1e-7" in the address: Minimum learning rate must be between 0 and the learning rate.']);
    // A non-tiny size needs an initialisation other than the demo backbone.
    expect(parse('?preset=vit_base_patch16&initialisation=random')).toMatchObject({ notes: [], state: { settings: { preset: 'vit_base_patch16' } } });
    // A checkpoint initialisation without an id is fine: the page picks the newest cached checkpoint.
    expect(parse('?initialisation=checkpoint&preset=vit_small_patch16').notes).toEqual([]);
  });

  it('never throws on odd addresses', () => {
    for (const search of ['?%', '?=&&=x', '?r=%ZZ', '?hide=,,,', '?backend=tpu', '?demo=0', `?${'x'.repeat(5000)}=1`, '?r=1e400', '?seed=0x10']) {
      expect(() => parse(search)).not.toThrow();
      expect(settingsProblems(parse(search).state.settings)).toEqual([]);
    }
    // An unknown backend is left to backendParam.ts (it reports it where the backend is shown).
    expect(parse('?backend=tpu')).toMatchObject({ notes: [], state: { backend: undefined } });
  });
});

describe('hidden sections and controls', () => {
  it('a control is hidden by its own id or its section', () => {
    expect(isShown(new Set(), 'r')).toBe(true);
    expect(isShown(new Set(['r']), 'r')).toBe(false);
    expect(isShown(new Set(['adapter']), 'r')).toBe(false);
    expect(isShown(new Set(['adapter']), 'lora_alpha')).toBe(false);
    expect(isShown(new Set(['adapter']), 'method')).toBe(true);
    expect(isShown(new Set(['grid']), 'grid')).toBe(false);
  });

  it('sections and controls have distinct ids', () => {
    const ids = [...SECTIONS.map((s) => s.id), ...CONTROLS.map((c) => c.id)];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
