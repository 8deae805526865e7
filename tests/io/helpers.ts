import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, type HostTensor } from '../../src/formats/safetensors';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'io');

export interface Golden {
  config: { imgSize: number; patchSize: number; inChans: number; embedDim: number; depth: number; numHeads: number; mlpRatio: number; numClasses: number; layerNormEps: number };
  loraConfig: { r: number; lora_alpha: number; lora_dropout: number; use_rslora: boolean; targets: { qkv: ('q' | 'k' | 'v')[]; proj: boolean; fc1: boolean; fc2: boolean } };
  rsLoraConfig: Golden['loraConfig'];
  logits: number[][];
  logits48: number[][];
  logitsPeftMerged: number[][];
  logitsRsLoraMerged: number[][];
  logitsDenseMerged: number[][];
  dtypeProbe: Record<string, string[]>;
}

export const golden: Golden = JSON.parse(readFileSync(join(FIXTURES, 'golden.json'), 'utf8'));

/** A file-backed Blob, as a browser File: slices are read from disk, never the whole file. */
export async function fixtureBlob(name: string): Promise<Blob & { name: string; lastModified: number }> {
  const blob = await openAsBlob(join(FIXTURES, name));
  return Object.assign(blob, { name, lastModified: 1 });
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export async function fixtureTensors(name: string): Promise<Map<string, HostTensor>> {
  return (await readSafetensors(await fixtureBlob(name))).tensors;
}

export async function inputs(name: 'inputs' | 'inputs48'): Promise<tf.Tensor4D> {
  const t = (await fixtureTensors('inputs.safetensors')).get(name)!;
  return tf.tensor4d(t.data, t.shape as [number, number, number, number]);
}

/** max |a - b| over max |b|: the relative error of a set of logits. */
export function relativeError(actual: number[][], expected: number[][]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((row, i) =>
    row.forEach((v, j) => {
      diff = Math.max(diff, Math.abs(actual[i][j] - v));
      scale = Math.max(scale, Math.abs(v));
    }),
  );
  return diff / scale;
}
