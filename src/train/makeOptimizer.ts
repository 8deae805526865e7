/**
 * The optimizer a run's settings ask for, with the lab's parameter groups (layer-wise lr decay, no weight decay
 * on 1-D tensors, pos_embed and cls_token): torch.optim.SGD with momentum, or AdamW (beta2 0.999, eps 1e-8).
 */
import { AdamW, SgdMomentum, type Optimizer } from './optimizers';
import { paramGroupFor } from './paramGroups';

export interface OptimizerChoice {
  optimizer: 'sgd' | 'adamw';
  /** SGD momentum, or AdamW's beta1. */
  momentum: number;
  weightDecay: number;
  layerDecay: number;
}

export function makeOptimizer(choice: OptimizerChoice, depth: number): Optimizer {
  const group = (name: string, shape: readonly number[]) => paramGroupFor(name, shape, depth, choice.layerDecay);
  return choice.optimizer === 'adamw'
    ? new AdamW({ beta1: choice.momentum, beta2: 0.999, eps: 1e-8, weightDecay: choice.weightDecay, group })
    : new SgdMomentum({ momentum: choice.momentum, weightDecay: choice.weightDecay, group });
}
