/**
 * The page's sections and settings controls under stable ids, for classroom links: a teacher hides some of them
 * (`?hide=grid,recipe,r`), and a hidden one is not rendered at all while its value still applies. A control's id is
 * its setting's word, the same in the URL (urlState.ts), in LabSettings and in the control's `name`. Sections and
 * controls share one namespace, so section ids are words no setting uses. Pure; tested in tests/ui/urlState.test.ts.
 */

export type SectionId = 'data' | 'model' | 'adapter' | 'training' | 'resources' | 'charts' | 'files' | 'runs' | 'grid' | 'hood';

export interface SectionInfo {
  id: SectionId;
  /** The section's heading on the page. */
  label: string;
}

export const SECTIONS: readonly SectionInfo[] = [
  { id: 'data', label: '1. Dataset' },
  { id: 'model', label: '2. Model and method' },
  { id: 'adapter', label: '3. LoRA adapter' },
  { id: 'training', label: '4. Training' },
  { id: 'resources', label: 'Parameters, memory and speed' },
  { id: 'charts', label: '5. Live charts' },
  { id: 'files', label: '6. Adapter and model files' },
  { id: 'runs', label: '7. Runs' },
  { id: 'grid', label: '8. Experiment grid' },
  { id: 'hood', label: '9. Under the hood' },
];

export interface ControlInfo {
  /** The setting's word (LabSettings / RunConfig / LoraConfig field name). */
  id: string;
  /** The control's label on the page. */
  label: string;
  section: SectionId;
}

export const CONTROLS: readonly ControlInfo[] = [
  { id: 'dataset', label: 'Stored dataset', section: 'data' },
  { id: 'method', label: 'Method', section: 'model' },
  { id: 'preset', label: 'Model size', section: 'model' },
  { id: 'initialisation', label: 'Initialisation', section: 'model' },
  { id: 'targets', label: 'LoRA targets', section: 'model' },
  { id: 'lora_dropout', label: 'LoRA dropout', section: 'model' },
  { id: 'use_rslora', label: 'rsLoRA scaling', section: 'model' },
  { id: 'recipe', label: 'Recipe preset', section: 'model' },
  { id: 'optimizer', label: 'Optimizer', section: 'model' },
  { id: 'totalSteps', label: 'Steps', section: 'model' },
  { id: 'batchSize', label: 'Batch size', section: 'model' },
  { id: 'baseLr', label: 'Learning rate', section: 'model' },
  { id: 'minLr', label: 'Minimum lr', section: 'model' },
  { id: 'warmupSteps', label: 'Warm-up', section: 'model' },
  { id: 'momentum', label: 'Momentum', section: 'model' },
  { id: 'weightDecay', label: 'Weight decay', section: 'model' },
  { id: 'layerDecay', label: 'Layer decay', section: 'model' },
  { id: 'dropPath', label: 'Drop path', section: 'model' },
  { id: 'seed', label: 'Training seed', section: 'model' },
  { id: 'scaleLrByBatch', label: 'Scale learning rate by batch / 256', section: 'model' },
  { id: 'augment', label: 'Augment', section: 'model' },
  { id: 'evalEvery', label: 'Evaluate every', section: 'model' },
  { id: 'evalMaxImages', label: 'Validation images per evaluation', section: 'model' },
  { id: 'r', label: 'LoRA rank', section: 'adapter' },
  { id: 'lora_alpha', label: 'LoRA alpha', section: 'adapter' },
];

const IDS = new Set<string>([...SECTIONS.map((s) => s.id), ...CONTROLS.map((c) => c.id)]);

export function isHideableId(id: string): boolean {
  return IDS.has(id);
}

/** Whether a section or control is shown, given the hidden ids (a control of a hidden section is hidden too). */
export function isShown(hidden: ReadonlySet<string>, id: string): boolean {
  if (hidden.has(id)) return false;
  const section = CONTROLS.find((c) => c.id === id)?.section;
  return section === undefined || !hidden.has(section);
}
