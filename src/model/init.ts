/**
 * Fresh parameters for a ViT in timm's layout. Initialisation follows timm / MAE: trunc-normal(0.02) for
 * Linear weights and pos_embed, zeros for biases, ones/zeros for LayerNorms, Xavier-uniform for the patch
 * projection viewed as a Linear (MAE's init), and trunc-normal(2e-5) for the classification head (study.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { VitConfig } from '../run/vitConfig';
import { vitParamShapes } from '../run/paramShapes';

function truncNormal(shape: number[], std: number, seed: number): tf.Tensor {
  // tf.truncatedNormal cuts at 2 std, as torch.nn.init.trunc_normal_ with its default a=-2, b=2 when std=1;
  // for small std timm's cut at +-2 absolute never binds, so the two differ only in that far tail.
  return tf.truncatedNormal(shape, 0, std, 'float32', seed);
}

export function initParam(name: string, shape: number[], seed: number): tf.Tensor {
  if (name === 'head.weight') return truncNormal(shape, 2e-5, seed);
  if (name === 'cls_token') return truncNormal(shape, 1e-6, seed);
  if (name === 'pos_embed') return truncNormal(shape, 0.02, seed);
  if (name === 'patch_embed.proj.weight') {
    const fanOut = shape[0];
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    return tf.randomUniform(shape, -bound, bound, 'float32', seed);
  }
  if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name === 'fc_norm.weight') return tf.ones(shape);
  if (name.endsWith('.bias')) return tf.zeros(shape);
  if (name.endsWith('.weight')) return truncNormal(shape, 0.02, seed);
  throw new Error(`no initialiser for parameter ${name}`);
}

export function initVitParams(cfg: VitConfig, seed: number): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  let k = 0;
  for (const [name, shape] of vitParamShapes(cfg)) out.set(name, initParam(name, shape, seed * 1009 + k++));
  return out;
}
