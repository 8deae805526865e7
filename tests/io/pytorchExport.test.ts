/**
 * The exported train.py (PyTorch + timm + PEFT) against the lab's own training code, on the same tiny real dataset,
 * config and initial weights (tests/io/pytorchGoldenCases.ts). The fixture tests/fixtures/golden/pytorch_export.json
 * was made by scripts/golden_pytorch_export.sh running the exported script with Debian's python3-torch; here the
 * lab's TrainingSession (BatchStream over fake-indexeddb, augmentation, lossAndGradients, optimizers, schedule,
 * evaluation) runs the same steps on tfjs's CPU backend, and the lab's scoreOnTest scores the result. Each gradient
 * and updated tensor must agree within 1e-5 of the tensor's largest magnitude; the loss within 1e-5 relative; the
 * validation record and the test score (adapter merged) within 1e-5, AUROCs and the bootstrap interval exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDb, storedImage } from '../data/helpers';
import { putImages } from '../../src/storage/datasets';
import type { LabDb } from '../../src/storage/schema';
import { BatchStream } from '../../src/data/batches';
import { TrainingSession } from '../../src/train/session';
import { makeOptimizer } from '../../src/train/makeOptimizer';
import type { Optimizer, OptimizerState } from '../../src/train/optimizers';
import { scoreOnTest } from '../../src/lab/scoreRun';
import { fuseQkv } from '../../src/io/peftMapping';
import { hashString, mulberry32 } from '../../src/run/random';
import { countParams } from '../../src/run/paramCount';
import { makeVitConfig, NORMALISATION } from '../../src/run/vitConfig';
import { importPeftAdapter } from '../../src/io/peft';
import { decodePngToGray } from '../../src/formats/image/png16';
import { decodeDicom } from '../../src/formats/image/dicom';
import type { HostTensor } from '../../src/formats/safetensors';
import type { LoraResizeChange } from '../../src/model/lora';
import type { QkvPart } from '../../src/run/loraConfig';
import type { EvaluationRecord, MetricsLog, RunConfig, TestScore } from '../../src/run/records';
import type { StoredImage } from '../../src/run/datasets';
import { FIXTURE_ROOT, fixtureIndex, fixturePixels, GOLDEN_CASES, GOLDEN_FILE, GOLDEN_STEPS, initialModel, LABELS, STORAGE_SIZE, type GoldenCase } from './pytorchGoldenCases';

type GoldenTensor = { shape: number[]; data: number[] } | { shape: number[]; l2: number; sum: number; sample: number[] };
interface GoldenStep {
  step: number;
  loss: number;
  lr: number;
  batch: string[];
  grads: Record<string, GoldenTensor>;
  values: Record<string, GoldenTensor>;
}
interface GoldenCaseResult {
  config: RunConfig;
  initial: Record<string, { shape: number[]; l2: number; sum: number }>;
  steps: GoldenStep[];
  metrics: { steps: { step: number; loss: number; lr: number }[]; evaluations: EvaluationRecord[]; params: MetricsLog['params']; test: TestScore };
}
interface Golden {
  versions: Record<string, string>;
  encoding: { fullLimit: number; sample: number };
  mulberry32: Record<string, number[]>;
  hashString: Record<string, number>;
  batchOrder: { images: number; batchSize: number; seed: number; batches: number[][] }[];
  loader: { file: string; size: number; pixels: string }[];
  cases: Record<string, GoldenCaseResult>;
}

const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Golden;
const DATASET = 'nih-fixture';
const TOL = 1e-5;
let db: LabDb;

beforeAll(async () => {
  await tf.setBackend('cpu');
  db = await freshDb();
  const images: StoredImage[] = fixtureIndex().map((row) => ({ datasetId: DATASET, key: row.path, split: row.split, labels: row.labels, pixels: fixturePixels(row.path) }));
  await putImages(images, db);
});

/** Sampled positions of a large tensor, as scripts/pytorch_golden_summary.py chose them. */
function sampleIndices(n: number): number[] {
  const s = golden.encoding.sample;
  return Array.from({ length: s }, (_, k) => Math.floor((k * (n - 1)) / (s - 1)));
}

/** Entries of the lab's tensor that the fixture holds (all, or the sample), beside the fixture's values. */
function pairs(lab: Float32Array, g: GoldenTensor): { lab: number[]; torch: number[] } {
  if ('data' in g) return { lab: Array.from(lab), torch: g.data };
  return { lab: sampleIndices(lab.length).map((i) => lab[i]), torch: g.sample };
}

/** max |lab - torch| over the held entries / max |torch| (the tensor's scale); the L2 norms too when sampled. */
function relativeInfError(lab: Float32Array, g: GoldenTensor): number {
  const p = pairs(lab, g);
  expect(p.lab.length).toBe(p.torch.length);
  let diff = 0;
  let scale = 0;
  p.lab.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - p.torch[i]));
    scale = Math.max(scale, Math.abs(p.torch[i]));
  });
  let err = scale > 0 ? diff / scale : diff;
  if ('l2' in g) err = Math.max(err, Math.abs(l2(lab) - g.l2) / g.l2);
  return err;
}

function l2(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/**
 * The lab's trainable tensors under the exported script's names: LoRA's per-part q / v pairs of a qkv fused as
 * PEFT holds them (lora_A = [A_q; A_v], block lora_B with zero K rows; src/io/peftMapping.ts), other LoRA
 * tensors and base tensors under their timm names with ".weight" where PEFT adds it.
 */
function asExported(dim: number, tensors: Map<string, HostTensor>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const qkv = new Map<string, Map<QkvPart, { a: HostTensor; b: HostTensor }>>();
  for (const [name, tensor] of tensors) {
    const part = /^(.*\.attn\.qkv)\.lora_([AB])\.([qkv])$/.exec(name);
    if (part) {
      const [, module, which, p] = part;
      const parts = qkv.get(module) ?? new Map();
      const pair = parts.get(p as QkvPart) ?? ({} as { a: HostTensor; b: HostTensor });
      pair[which === 'A' ? 'a' : 'b'] = tensor;
      parts.set(p as QkvPart, pair);
      qkv.set(module, parts);
    } else {
      out.set(/\.lora_[AB]$/.test(name) ? `${name}.weight` : name, tensor.data);
    }
  }
  for (const [module, parts] of qkv) {
    const fused = fuseQkv(parts, dim);
    out.set(`${module}.lora_A.weight`, fused.a.data);
    out.set(`${module}.lora_B.weight`, fused.b.data);
  }
  return out;
}

interface RecordedStep {
  lr: number;
  grads: Map<string, HostTensor>;
  values: Map<string, HostTensor>;
}

const host = (t: tf.Tensor): HostTensor => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) });

/** Wraps the lab's optimizer: copies every step's gradients and updated tensors, and stops the session after n steps. */
class RecordingOptimizer implements Optimizer {
  readonly steps: RecordedStep[] = [];
  onStep: (count: number) => void = () => undefined;
  constructor(private readonly inner: Optimizer) {}

  step(params: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    const copied = new Map(Object.entries(grads).map(([name, g]) => [name, host(g)]));
    this.inner.step(params, grads, lr);
    const values = new Map([...params].filter(([name]) => copied.has(name)).map(([name, p]) => [name, host(p)]));
    this.steps.push({ lr, grads: copied, values });
    this.onStep(this.steps.length);
  }

  remap(changes: LoraResizeChange[]): void {
    this.inner.remap(changes);
  }

  saveState(): Promise<OptimizerState> {
    return this.inner.saveState();
  }

  loadState(state: OptimizerState): void {
    this.inner.loadState(state);
  }

  stateBytes(): number {
    return this.inner.stateBytes();
  }

  dispose(): void {
    this.inner.dispose();
  }
}

function stream(config: RunConfig, split: 'train' | 'val' | 'test', maxImages?: number): BatchStream {
  return new BatchStream({
    datasetId: DATASET, split, batchSize: config.batchSize, size: STORAGE_SIZE, numLabels: LABELS.length,
    seed: config.seed, mode: split === 'train' ? 'train' : 'eval', maxImages, db,
  });
}

/** The lab's run of a case, stopped after GOLDEN_STEPS steps, plus the test split scored with the adapter merged. */
async function labRun(c: GoldenCase) {
  const { config } = c;
  const model = await initialModel(c);
  const initial = new Map([...model.params, ...(model.lora?.tensors ?? [])].map(([n, v]) => [n, host(v)]));
  const optimizer = new RecordingOptimizer(makeOptimizer(config, model.cfg.depth));
  const [train, val, test] = [stream(config, 'train'), stream(config, 'val', config.evalMaxImages), stream(config, 'test')];
  await Promise.all([train.init(), val.init(), test.init()]);
  const options = {
    config, labels: LABELS, model, optimizer, train, val, emit: () => undefined, norm: NORMALISATION.mae,
    metricsHeader: { ...config, backend: 'cpu' as const, initialisationNote: 'golden', microBatch: config.batchSize },
  };
  const session = new TrainingSession(options);
  optimizer.onStep = (count) => {
    if (count === GOLDEN_STEPS) session.stop();
  };
  await session.run();
  const metrics = session.metrics();
  // The lab's scoring (src/lab/scoreRun.ts): adapter merged, the whole test split; the only evaluation is the last
  // step's, so the best-validation checkpoint is the model as it is.
  const testScore = await scoreOnTest({ model, config, labels: LABELS, test, norm: NORMALISATION.mae, best: null, step: session.currentStep });
  const dim = model.cfg.embedDim;
  const params = countParams(model.cfg, config.method, config.lora);
  model.dispose();
  return { initial, steps: optimizer.steps, metrics, testScore, dim, params };
}

describe('train.py\'s seeded randomness (batch order, crops) is src/run/random.ts\'s', () => {
  it.each(Object.entries(golden.mulberry32))('mulberry32, seed %s: the same draws', (seed, draws) => {
    const rand = mulberry32(Number(seed));
    expect(draws.map(() => rand())).toEqual(draws);
  });

  it.each(Object.entries(golden.hashString))('hashString %s: the same value', (key, value) => {
    const at = key.lastIndexOf('|');
    expect(hashString(key.slice(0, at), Number(key.slice(at + 1)))).toBe(value);
  });

  it.each(golden.batchOrder.map((o) => [o.images, o.batchSize, o.seed, o] as const))(
    '%i train images, batch %i, seed %i: the batches of the lab\'s BatchStream',
    async (images, batchSize, seed, o) => {
      const orderDb = await freshDb();
      // Image i has every pixel = i, so a batch row tells which image it is; keys sort as the indices do.
      await putImages(Array.from({ length: images }, (_, i) => storedImage('order', i, 'train', 2, [0])), orderDb);
      const s = new BatchStream({ datasetId: 'order', split: 'train', batchSize, size: 2, numLabels: 1, seed, mode: 'train', db: orderDb });
      await s.init();
      const got: number[][] = [];
      for (const _ of o.batches) {
        const b = await s.next();
        got.push(Array.from({ length: batchSize }, (__, r) => b.pixels[r * 4]));
      }
      expect(got).toEqual(o.batches);
    },
  );
});

describe.each(GOLDEN_CASES)('exported train.py vs the lab: $name', (c) => {
  const g = golden.cases[c.name];

  it('the fixture was made from this case\'s config', () => {
    expect(g.config).toEqual(c.config);
    expect(g.steps).toHaveLength(GOLDEN_STEPS);
  });

  it('same start, same batches, same steps: loss, gradients, updated tensors; same evaluations', async () => {
    const lab = await labRun(c);
    const initial = asExported(lab.dim, lab.initial);
    // The initial trainable tensors train.py loaded are the lab's (norm and sum).
    for (const [name, f] of Object.entries(g.initial)) {
      expect(initial.has(name), name).toBe(true);
      expect(Math.abs(l2(initial.get(name)!) - f.l2), name).toBeLessThanOrEqual(1e-6 * f.l2);
    }
    expect(lab.steps).toHaveLength(GOLDEN_STEPS);
    const errors: Record<string, number> = {};
    lab.steps.forEach((step, s) => {
      const want = g.steps[s];
      expect(step.lr).toBeCloseTo(want.lr, 12);
      const grads = asExported(lab.dim, step.grads);
      const values = asExported(lab.dim, step.values);
      expect([...grads.keys()].sort()).toEqual(Object.keys(want.grads).sort());
      for (const [name, t] of Object.entries(want.grads)) {
        const err = relativeInfError(grads.get(name)!, t);
        errors[`step ${s + 1} grad ${name}`] = err;
        expect(err, `step ${s + 1} gradient of ${name}`).toBeLessThanOrEqual(TOL);
      }
      for (const [name, t] of Object.entries(want.values)) {
        const err = relativeInfError(values.get(name)!, t);
        errors[`step ${s + 1} value ${name}`] = err;
        expect(err, `step ${s + 1} updated ${name}`).toBeLessThanOrEqual(TOL);
      }
      // PEFT's fused qkv adapter stays in the lab's block form: every entry outside the q / v blocks is exactly 0.
      for (const [name, t] of Object.entries(want.values)) {
        if (!name.endsWith('attn.qkv.lora_B.weight') || !('data' in t)) continue;
        const labB = values.get(name)!;
        t.data.forEach((v, i) => {
          if (labB[i] === 0) expect(v, `${name}[${i}]`).toBe(0);
        });
      }
    });
    // The session's step records (loss read back asynchronously) against train.py's metrics.json.
    expect(lab.metrics.steps.map((s) => [s.step, s.lr])).toEqual(g.metrics.steps.map((s) => [s.step, s.lr]));
    lab.metrics.steps.forEach((s, i) => {
      const want = g.metrics.steps[i].loss;
      errors[`step ${s.step} loss`] = Math.abs(s.loss - want) / want;
      expect(Math.abs(s.loss - want) / want, `loss of step ${s.step}`).toBeLessThanOrEqual(TOL);
      expect(g.steps[i].loss).toBe(want);
    });
    // One validation evaluation, at the last step; the test score comes from that (best) checkpoint.
    expect(g.metrics.evaluations.map((e) => [e.split, e.step])).toEqual([['val', GOLDEN_STEPS]]);
    expect(lab.metrics.evaluations.map((e) => [e.split, e.step])).toEqual([['val', GOLDEN_STEPS]]);
    const testWant = g.metrics.test;
    expect(testWant.step).toBe(GOLDEN_STEPS);
    for (const [split, got, want] of [['val', lab.metrics.evaluations[0], g.metrics.evaluations[0]], ['test', lab.testScore, testWant]] as const) {
      expect(got.images).toBe(want.images);
      errors[`${split} loss`] = Math.abs(got.loss - want.loss) / want.loss;
      expect(Math.abs(got.loss - want.loss) / want.loss, `${split} loss`).toBeLessThanOrEqual(TOL);
      expect(got.auroc).toEqual(want.auroc);
      expect(got.macroAuroc).toBeCloseTo(want.macroAuroc!, 12);
    }
    // Calibration from the same probabilities (within float32 rounding of each side's sigmoid) and the bootstrap
    // interval from the same seeded resamples of the same ranking: equal.
    for (const label of LABELS) {
      const [got, want] = [lab.testScore.ece[label], testWant.ece[label]];
      expect(got === null ? null : Math.abs(got - want!), `ECE of ${label}`).toBeLessThanOrEqual(TOL);
    }
    expect(lab.testScore.macroAurocCi.resamples).toBe(testWant.macroAurocCi.resamples);
    for (const k of ['lo', 'hi', 'median'] as const) expect(lab.testScore.macroAurocCi[k]).toBeCloseTo(testWant.macroAurocCi[k]!, 12);
    expect(lab.params).toEqual(g.metrics.params);
    const worstOf = (kind: RegExp) => Math.max(...Object.entries(errors).filter(([k]) => kind.test(k)).map(([, v]) => v)).toExponential(1);
    const worst = Object.entries(errors).sort((a, b) => b[1] - a[1])[0];
    console.log(`${c.name}: gradients ${worstOf(/grad/)}, updated tensors ${worstOf(/value/)}, step losses ${worstOf(/step \d loss/)}, ` +
      `val loss ${worstOf(/^val/)}, test loss ${worstOf(/^test/)}; worst: ${worst[0]}`);
  });
});

describe('the adapter train.py saves (PEFT save_pretrained, tests/fixtures/pytorch/trained_adapter)', () => {
  it('is read by the lab\'s "Import adapter": the study\'s q, v form, rank and alpha back, tensors as trained', async () => {
    const dir = join(FIXTURE_ROOT, 'trained_adapter');
    const imported = await importPeftAdapter(
      readFileSync(join(dir, 'adapter_config.json'), 'utf8'),
      readFileSync(join(dir, 'adapter_model.safetensors')),
      makeVitConfig('tiny', LABELS.length),
    );
    const c = GOLDEN_CASES.find((x) => x.name === 'lora-sgd')!;
    expect(imported.loraConfig).toEqual(c.config.lora);
    // The best validation checkpoint is the last step's (the only evaluation): the golden's step-3 tensors.
    const want = golden.cases['lora-sgd'].steps[GOLDEN_STEPS - 1].values;
    const fused = asExported(64, imported.tensors);
    for (const [name, data] of [...fused, ...[...imported.classifier].map(([n, t]) => [n, t.data] as const)]) {
      expect(relativeInfError(data, want[name]), name).toBeLessThanOrEqual(1e-7);
    }
    expect(fused.size + imported.classifier.size).toBe(Object.keys(want).length);
  });
});

describe('train.py\'s image loader against the lab\'s decoder', () => {
  it.each(golden.loader.map((l) => [l.file, l.size, l] as const))('%s at %i px: at most 1 gray level apart', async (file, size, l) => {
    const ours = Buffer.from(l.pixels, 'base64');
    const bytes = readFileSync(file);
    const lab = file.endsWith('.dcm') ? (await decodeDicom(bytes, { size })).pixels : await decodePngToGray(bytes, size);
    expect(ours.length).toBe(lab.length);
    let maxDiff = 0;
    let differing = 0;
    lab.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - ours[i]));
      if (v !== ours[i]) differing++;
    });
    console.log(`${file} @ ${size}: ${differing} of ${lab.length} pixels differ, max ${maxDiff}`);
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
