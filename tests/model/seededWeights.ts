/**
 * The TypeScript side of scripts/seeded_weights.py: the saliency golden's ViT weights rebuilt from a seed with the
 * lab's mulberry32 / hashString instead of being shipped in the fixture. Same draws, same float64 arithmetic, one
 * rounding to float32, so the tensors equal PyTorch's bit for bit (checked against the fixture's weightChecks).
 */
import * as tf from '@tensorflow/tfjs';
import { hashString, mulberry32 } from '../../src/run/random';
import { vitParamShapes } from '../../src/run/paramShapes';
import type { VitConfig } from '../../src/run/vitConfig';

/** [centre, bound] of the uniform draw per parameter, as value_range in seeded_weights.py. */
function valueRange(name: string, shape: number[]): [number, number] {
  if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight') || name === 'fc_norm.weight') return [1, 0.2];
  if (name.endsWith('.bias')) return [0, 0.2];
  if (name === 'cls_token' || name === 'pos_embed') return [0, 0.8];
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const scale = name.endsWith('attn.qkv.weight') ? 2 : 1;
  return [0, scale * Math.sqrt(3 / fanIn)];
}

export function seededValues(name: string, count: number, seed: number, centre: number, bound: number): Float32Array {
  const random = mulberry32(hashString(name, seed));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = centre + (2 * random() - 1) * bound;
  return out;
}

export function seededVitParams(cfg: VitConfig, seed: number): Map<string, tf.Tensor> {
  const params = new Map<string, tf.Tensor>();
  for (const [name, shape] of vitParamShapes(cfg)) {
    const [centre, bound] = valueRange(name, shape);
    params.set(name, tf.tensor(seededValues(name, shape.reduce((a, b) => a * b, 1), seed, centre, bound), shape));
  }
  return params;
}
