/**
 * Where the backbone's starting weights come from: fresh random parameters, the project's MAE-pretrained demo
 * backbone (public/models, tiny preset), or a user's checkpoint cached in IndexedDB. A checkpoint brings its own
 * architecture (inferred from its shapes), so it decides the model's config rather than the preset.
 */
import type * as tf from '@tensorflow/tfjs';
import { makeVitConfig, NORMALISATION, type VitConfig } from '../run/vitConfig';
import { initVitParams } from '../model/init';
import { loadCachedBackbone } from '../io/checkpoint';
import { DEMO_BACKBONE, loadDemoBackbone } from '../io/demoBackbone';
import type { RunConfig } from '../run/records';

export interface InitialWeights {
  cfg: VitConfig;
  params: Map<string, tf.Tensor>;
  note: string;
  norm: { mean: number; std: number };
}

export async function loadInitialWeights(config: RunConfig, numClasses: number): Promise<InitialWeights> {
  if (config.initialisation === 'random') {
    const cfg = makeVitConfig(config.preset, numClasses);
    // A random backbone has no statistics of its own; use the MAE values like the demo backbone.
    return { cfg, params: initVitParams(cfg, config.seed), note: 'random initialisation: no pretrained backbone loaded', norm: NORMALISATION.mae };
  }
  if (config.initialisation === 'pretrained-demo') {
    if (config.preset !== DEMO_BACKBONE.preset) throw new Error(`the pretrained demo backbone is a '${DEMO_BACKBONE.preset}' model; choose that model size`);
    const loaded = await loadDemoBackbone(numClasses);
    return { cfg: loaded.cfg, params: loaded.params, note: 'pretrained demo backbone (MAE on NIH radiographs, see docs/model-card.md)', norm: DEMO_BACKBONE.normalisation };
  }
  if (!config.checkpointId) throw new Error('initialisation from a checkpoint needs a loaded checkpoint: press "Load checkpoint" first');
  const loaded = await loadCachedBackbone({ numClasses, seed: config.seed }, undefined, config.checkpointId);
  if (!loaded) throw new Error('the chosen checkpoint is no longer in this browser\'s storage: load the file again');
  const s = loaded.summary;
  return {
    cfg: loaded.cfg,
    params: loaded.params,
    note: `checkpoint ${config.checkpointId}: ${s.loaded.length} tensors loaded, ${s.ignored.length} ignored, ${s.missing.length} missing, new: ${s.newlyInitialised.join(', ')}`,
    norm: NORMALISATION.mae,
  };
}
