/**
 * Where the backbone's starting weights come from. Until a pretrained backbone is wired in, only random
 * initialisation exists, and the note says so (the page shows it).
 */
import type * as tf from '@tensorflow/tfjs';
import type { VitConfig } from '../model/config';
import { initVitParams } from '../model/init';
import type { RunConfig } from './protocol';

export async function loadInitialWeights(config: RunConfig, vitCfg: VitConfig): Promise<{ params: Map<string, tf.Tensor>; note: string }> {
  if (config.initialisation !== 'random') throw new Error(`initialisation '${config.initialisation}' is not available yet`);
  return { params: initVitParams(vitCfg, config.seed), note: 'random initialisation: no pretrained backbone loaded' };
}
