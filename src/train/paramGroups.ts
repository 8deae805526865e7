/**
 * Per-parameter optimisation settings of the study's recipes:
 * - no weight decay on 1-D parameters (biases, norms) nor on pos_embed / cls_token (MAE's param_groups_lrd);
 * - layer-wise lr decay (BEiT / MAE lr_decay.py): layer 0 = patch_embed, cls_token, pos_embed; block i = i + 1;
 *   fc_norm / head = depth + 1; lr scale = decay ^ (depth + 1 - layer). LoRA tensors belong to their block.
 */
export interface ParamGroup {
  lrScale: number;
  weightDecay: boolean;
}

export function layerIdFor(name: string, depth: number): number {
  if (name === 'cls_token' || name === 'pos_embed' || name.startsWith('patch_embed')) return 0;
  const m = /^blocks\.(\d+)\./.exec(name);
  if (m) return Number(m[1]) + 1;
  return depth + 1;
}

export function paramGroupFor(name: string, shape: readonly number[], depth: number, layerDecay: number): ParamGroup {
  const noDecay = shape.length === 1 || name === 'pos_embed' || name === 'cls_token';
  const lrScale = layerDecay === 1 ? 1 : layerDecay ** (depth + 1 - layerIdFor(name, depth));
  return { lrScale, weightDecay: !noDecay };
}
