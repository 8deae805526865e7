/**
 * The same comparison as scripts/compare_init_mae.py, with the lab's own tfjs code (VitModel, LoraAdapter,
 * trainStep, AdamW, the lab's augmentation and AUROC): LoRA (q, v; r 8; alpha 32) on the MAE-pretrained demo
 * backbone vs on random weights, macro AUROC on the held-out test split of the demo data, model selected by
 * best val macro AUROC. tfjs WASM backend in Node (BACKEND=cpu for the pure-JS one); minutes per run.
 *
 *   /usr/bin/python3 scripts/compare_init_mae.py --dump-only bench-out/demo64.safetensors
 *   npx vite-node scripts/compare_init.ts -- bench-out/demo64.safetensors [seeds=3] [epochs=40]
 */
import { openAsBlob } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadBackbone } from '../src/io/checkpoint';
import { readSafetensors } from '../src/formats/safetensors';
import { makeVitConfig, NORMALISATION } from '../src/run/vitConfig';
import { initVitParams } from '../src/model/init';
import { LoraAdapter } from '../src/model/lora';
import { VitModel } from '../src/model/vit';
import { preprocess, randomResizedCropBoxes } from '../src/train/augment';
import { multiLabelAuroc } from '../src/train/auroc';
import { AdamW } from '../src/train/optimizers';
import { paramGroupFor } from '../src/train/paramGroups';
import { mulberry32 } from '../src/run/random';
import { learningRateAt } from '../src/train/schedule';
import { trainableVariables, trainStep } from '../src/train/step';
import { STUDY_LORA } from '../src/run/loraConfig';

const [dataPath, seedsArg = '3', epochsArg = '40'] = process.argv.slice(2).filter((a) => a !== '--');
const BACKBONE = process.env.BACKBONE ?? 'public/models/demo-mae-tiny.safetensors';
const BATCH = 32;
const SIZE = 64;

async function main(): Promise<void> {
  // WASM (SIMD) is several times faster than tfjs's pure-JS CPU backend in Node; BACKEND=cpu forces the latter.
  const backend = process.env.BACKEND ?? 'wasm';
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} is not available`);
  console.log(`backend: ${tf.getBackend()}`);
  const { tensors, metadata } = await readSafetensors(await openAsBlob(dataPath));
  const labels = metadata.labels.split(',');
  const pixels = Uint8Array.from(tensors.get('images')!.data);
  const targets = tensors.get('targets')!.data;
  const split = Object.fromEntries(['train', 'val', 'test'].map((k) => [k, Array.from(tensors.get(k)!.data)])) as Record<string, number[]>;
  const gather = (idx: number[]) => {
    const px = new Uint8Array(idx.length * SIZE * SIZE);
    const y = new Float32Array(idx.length * labels.length);
    idx.forEach((i, k) => {
      px.set(pixels.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE), k * SIZE * SIZE);
      y.set(targets.subarray(i * labels.length, (i + 1) * labels.length), k * labels.length);
    });
    return { px, y };
  };
  const evaluate = async (model: VitModel, idx: number[]) => {
    const { px, y } = gather(idx);
    const x = preprocess(px, idx.length, SIZE, SIZE, NORMALISATION.mae, null);
    const scores = tf.tidy(() => tf.sigmoid(model.forward(x)));
    const report = multiLabelAuroc(await scores.data(), y, labels.length);
    tf.dispose([x, scores]);
    return report.macro!;
  };
  const results: Record<string, { seed: number; val: number; test: number; epoch: number }[]> = { pretrained: [], random: [] };
  for (let seed = 0; seed < Number(seedsArg); seed++) {
    for (const init of ['pretrained', 'random'] as const) {
      const cfg = makeVitConfig('tiny', labels.length);
      let params = initVitParams(cfg, seed);
      if (init === 'pretrained') {
        tf.dispose([...params.values()]);
        params = (await loadBackbone(await openAsBlob(BACKBONE), { numClasses: labels.length, seed }, undefined, { cache: false })).params;
      }
      const model = new VitModel(cfg, params);
      model.lora = LoraAdapter.create(cfg, STUDY_LORA, seed);
      const trainable = trainableVariables(model, 'lora');
      const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05, group: (n, s) => paramGroupFor(n, s, cfg.depth, 1) });
      const rand = mulberry32(seed + 1000);
      const stepsPerEpoch = Math.ceil(split.train.length / BATCH);
      const schedule = { peakLr: (3e-3 * BATCH) / 256, minLr: 1e-6, warmupSteps: 5 * stepsPerEpoch, totalSteps: Number(epochsArg) * stepsPerEpoch };
      let best = { seed, val: -1, test: NaN, epoch: 0 };
      let step = 0;
      for (let epoch = 0; epoch < Number(epochsArg); epoch++) {
        const order = [...split.train];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1)); // Fisher-Yates
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (let k = 0; k < stepsPerEpoch; k++) {
          const idx = order.slice(k * BATCH, (k + 1) * BATCH);
          const { px, y } = gather(idx);
          const boxes = randomResizedCropBoxes(idx.length, { scale: [0.35, 1], ratio: [3 / 4, 4 / 3], flip: true }, rand);
          const x = preprocess(px, idx.length, SIZE, SIZE, NORMALISATION.mae, boxes);
          const yt = tf.tensor2d(y, [idx.length, labels.length]);
          const loss = trainStep(model, trainable, optimizer, { x, y: yt }, learningRateAt(step++, schedule), { training: true });
          tf.dispose([x, yt, loss]);
        }
        const val = await evaluate(model, split.val);
        if (val > best.val) best = { seed, val, test: await evaluate(model, split.test), epoch: epoch + 1 };
      }
      results[init].push(best);
      console.log(init, JSON.stringify(best));
      optimizer.dispose();
      model.dispose();
    }
  }
  for (const [init, runs] of Object.entries(results)) {
    const mean = runs.reduce((s, r) => s + r.test, 0) / runs.length;
    console.log(`${init}: test macro AUROC at best val = ${mean.toFixed(4)} over ${runs.length} seeds`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
