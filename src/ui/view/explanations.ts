/**
 * Every "What is this?" text of the page, in one file so a teacher can review them together. Written for a
 * first-year student: plain words, a formula where it helps, the page's current numbers filled in. Pure (strings and
 * numbers only); the components in src/ui/components/teaching/ lay them out. Tested in tests/ui/explanations.test.ts.
 *
 * Sources of the formulas: LoRA, Hu et al. 2021 (W + (alpha / r) B A, B starting at zero); rsLoRA, Kalajdzievski
 * 2023 (alpha / sqrt r); the ViT, Dosovitskiy et al. 2021 (patches as tokens); AUROC as the probability that a
 * positive case scores above a negative one, Hanley and McNeil 1982.
 */
import type { LoraConfig, Method } from '../../run/loraConfig';
import { loraScaling } from '../../run/loraConfig';
import { countParams, countVitParams } from '../../run/paramCount';
import { loraSites } from '../../run/paramShapes';
import type { VitConfig } from '../../run/vitConfig';
import { formatCount, formatMetric, formatPercent } from './format';

export const DATASET_TEXT: readonly string[] = [
  'A dataset here is a set of chest X-ray images, each with labels such as "pneumonia: yes or no". The lab shrinks the images to a small square and keeps them in this browser; nothing is uploaded.',
  'The images are split three ways. Training images are the ones the model learns from. Validation images are checked every few steps to see how well it is doing and to pick its best moment. Test images are kept aside and used once, at the end, for the final score: a model is never graded on pictures it studied.',
];

/** What a ViT sees, with the current model's numbers. */
export function vitText(cfg: VitConfig): string[] {
  const grid = cfg.imgSize / cfg.patchSize;
  const patches = grid * grid;
  const perPatch = cfg.patchSize * cfg.patchSize;
  return [
    `A Vision Transformer (ViT) does not read an image pixel by pixel. It cuts the ${cfg.imgSize} × ${cfg.imgSize}-pixel input into square patches of ${cfg.patchSize} × ${cfg.patchSize} pixels: ${grid} × ${grid} = ${patches} patches, drawn below on the first training image exactly as the model receives it.`,
    `Each patch (${formatCount(perPatch)} grey values) becomes a list of ${cfg.embedDim} numbers, its embedding, and is tagged with its position. Then ${cfg.depth} transformer blocks let every patch look at every other patch ("attention") and mix what they find. A last small layer, the head, turns the result into one score per label (${cfg.numClasses} here).`,
  ];
}

/** What the chosen method trains, in a sentence. */
export function methodText(method: Method): string {
  if (method === 'fft') return 'Full fine-tuning changes every number of the model.';
  if (method === 'linear') return 'The linear probe keeps the pretrained model fixed and trains only the last layer (fc_norm and the head).';
  return 'LoRA keeps the pretrained weights fixed and learns a small correction to some of its layers, plus a new head (section 3 explains it).';
}

export interface LoraFormula {
  /** "alpha / r" or "alpha / √r" (rsLoRA). */
  rule: string;
  /** "32 / 8 = 4". */
  scaling: string;
  /** "W + 4 · B · A". */
  update: string;
  value: number;
}

export function loraFormula(lora: Pick<LoraConfig, 'r' | 'lora_alpha' | 'use_rslora'>): LoraFormula {
  const value = loraScaling(lora);
  const rule = lora.use_rslora ? 'alpha / √r' : 'alpha / r';
  const divisor = lora.use_rslora ? `√${lora.r}` : String(lora.r);
  return { rule, scaling: `${lora.lora_alpha} / ${divisor} = ${formatMetric(value)}`, update: `W + ${formatMetric(value)} · B · A`, value };
}

export const LORA_TEXT: readonly string[] = [
  'Inside the model, a layer multiplies its input by a weight matrix W. Fine-tuning all of W means learning millions of numbers. LoRA leaves W as it was pretrained and learns two thin matrices instead: B (out × r) and A (r × in). The layer then uses W + (alpha / r) · B · A.',
  'B starts at zero, so before the first step the model is exactly the pretrained one. The rank r sets how many independent directions the correction can have; alpha sets how strongly it counts.',
];

export interface ParamFormulaLine {
  /** How many adapted matrices share this shape. */
  count: number;
  /** Which matrices: "attn.qkv (q, v)". */
  what: string;
  in: number;
  out: number;
  params: number;
  /** "4 × 8 × (64 + 64) = 4,096". */
  text: string;
}

export interface ParamFormula {
  lines: ParamFormulaLine[];
  adapter: number;
  /** fc_norm and the head, trained anew with LoRA. */
  classifier: number;
  trainable: number;
  total: number;
  /** "4,096 + 1,114 = 5,210 of 108,354 (4.808 %)". */
  sum: string;
}

/** The trainable-parameter count of LoRA, as the formula r × (in + out) per adapted matrix, filled in. */
export function loraParamFormula(cfg: VitConfig, lora: LoraConfig): ParamFormula {
  const groups = new Map<string, { modules: Set<string>; parts: Set<string>; count: number; in: number; out: number }>();
  for (const site of loraSites(cfg, lora)) {
    const kind = site.module.replace(/^blocks\.\d+\./, '');
    const key = `${kind}:${site.inFeatures}:${site.outFeatures}`;
    const g = groups.get(key) ?? { modules: new Set([kind]), parts: new Set<string>(), count: 0, in: site.inFeatures, out: site.outFeatures };
    if (site.part) g.parts.add(site.part);
    g.count++;
    groups.set(key, g);
  }
  const lines = [...groups.values()].map((g) => {
    const params = g.count * lora.r * (g.in + g.out);
    const what = `${[...g.modules].join(', ')}${g.parts.size > 0 ? ` (${[...g.parts].join(', ')})` : ''}`;
    return { count: g.count, what, in: g.in, out: g.out, params, text: `${g.count} × ${lora.r} × (${g.in} + ${g.out}) = ${formatCount(params)}` };
  });
  const adapter = lines.reduce((n, l) => n + l.params, 0);
  const { fcNorm, head } = countVitParams(cfg);
  const classifier = fcNorm + head;
  const { trainable, total } = countParams(cfg, 'lora', lora);
  const sum = `${formatCount(adapter)} + ${formatCount(classifier)} = ${formatCount(trainable)} of ${formatCount(total)} (${formatPercent(trainable, total)} %)`;
  return { lines, adapter, classifier, trainable, total, sum };
}

export const SPECTRUM_TEXT =
  'B · A can point in at most r independent directions. Its singular values say how strong each direction is, largest first, for one adapted matrix of the running adapter. If only the first few are large, a smaller rank would have done; they start at zero (B is zero) and grow as the adapter learns.';

export interface TrainingNumbers {
  batchSize: number;
  warmupSteps: number;
  totalSteps: number;
  evalEvery: number;
}

export function trainingText(s: TrainingNumbers): string[] {
  return [
    `One training step takes a batch of ${s.batchSize} training images, runs them through the model, and measures how wrong its scores are: the loss (binary cross-entropy; lower is better). Then every trainable number is nudged a little in the direction that lowers the loss. The size of the nudge is the learning rate: it rises during the first ${s.warmupSteps} steps, then slowly falls until step ${s.totalSteps}.`,
    `Every ${s.evalEvery} steps the model is scored on validation images it does not learn from. "Step" runs exactly one step and stops again, so you can watch what a single step does to the loss and to the adapter.`,
  ];
}

export const AUROC_TEXT: readonly string[] = [
  'AUROC answers one question: take one image that has the finding and one that does not; how often does the model give the first a higher score? 1.0 means always, 0.5 means no better than tossing a coin, and below 0.5 means worse than guessing.',
  'It needs no threshold (no "above 0.7 counts as sick"), and it is not fooled when one answer is much more common than the other. Macro AUROC is the plain average over the labels. A label whose evaluated images are all positive or all negative has no AUROC ("n/a"). The training loss can keep falling while the validation AUROC stops improving: the model is then learning its training images rather than the finding.',
];
