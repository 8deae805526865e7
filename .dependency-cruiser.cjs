/**
 * The layers of src/ and the imports each may make (README "Architecture"). A layer imports only from the layers
 * listed for it; everything else is a violation that fails `npm test` (tests/architecture/layers.test.ts runs
 * this rule set; `npx depcruise src --config .dependency-cruiser.cjs` prints the same report).
 *
 *   ui ─> workers/client ─> lab ─> train, model, data, io ─> formats, storage, backends ─> run
 *
 * The UI may also import *types* from any layer below it (the shapes of records and APIs), never their code.
 */
const LAYERS = {
  // Plain records and pure functions shared by all: imports nothing else.
  run: [],
  // Byte formats (zip, pickle, pth, safetensors, CSV, PNG, DICOM).
  formats: ['run'],
  // All IndexedDB access, its schema and migrations.
  storage: ['run', 'formats'],
  // Backend-specific kernels (tfjs-wasm patches).
  backends: ['run'],
  // ViT + LoRA on tfjs ops.
  model: ['run'],
  // Loss, metrics, optimizers, schedules, augmentation, the training session.
  train: ['run', 'model'],
  // Layouts, splits, ingest, batch streaming.
  data: ['run', 'formats', 'storage'],
  // timm / PEFT mappings, checkpoints.
  io: ['run', 'formats', 'storage', 'model'],
  // Application use cases: runs, model files, backend set-up, ingest jobs.
  lab: ['run', 'formats', 'storage', 'backends', 'model', 'train', 'data', 'io'],
  // Thin Comlink entry points and the page-side client (which reads page-only browser objects through data/fileSource).
  workers: ['run', 'lab', 'data'],
  // React; reaches the rest through workers/client only (see the extra rule below).
  ui: ['run', 'workers'],
  // The numerics / benchmark page driven by Playwright: anything but the UI.
  harness: ['run', 'formats', 'storage', 'backends', 'model', 'train', 'data', 'io', 'lab', 'workers'],
};

const folder = (name) => `(^|/)src/${name}/`;
const anyOf = (names) => `(^|/)src/(${names.join('|')})/`;

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from ${[layer, ...allowed].map((l) => `src/${l}/`).join(', ')}`,
  severity: 'error',
  from: { path: folder(layer) },
  to: {
    path: '(^|/)src/',
    pathNot: anyOf([layer, ...allowed]),
    // The UI's type-only imports are checked by the next rule instead.
    ...(layer === 'ui' ? { dependencyTypesNot: ['type-only'] } : {}),
  },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'ui-code-through-client-only',
      comment: 'the UI runs no worker code itself: from src/workers/ it imports code only from client.ts',
      severity: 'error',
      from: { path: folder('ui') },
      to: { path: folder('workers'), pathNot: '(^|/)src/workers/client\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'ui-types-from-below',
      comment: 'the UI may import types from any layer below it, but not from the harness page',
      severity: 'error',
      from: { path: folder('ui') },
      to: { path: folder('harness') },
    },
    {
      name: 'no-unknown-src-folder',
      comment: 'every folder of src/ belongs to a layer: add a new one to LAYERS first',
      severity: 'error',
      from: { path: '(^|/)src/' },
      to: { path: '(^|/)src/', pathNot: anyOf(Object.keys(LAYERS)) },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are seen (and told apart) only when dependencies are read before TypeScript compiles them.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\?(url|raw)$' },
  },
};
