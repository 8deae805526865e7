/**
 * The "Export for PyTorch" builder: which files a run and a grid produce, that split CSVs and configs read back
 * to exactly what went in, that cells sharing images share split files, and that bad input is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  buildPytorchExport, safeName, splitCsv, zipPytorchExport,
  type ExportSection, type PytorchExportRun, type RunSplits, type SplitRow,
} from '../../src/io/pytorch/exportExperiment';
import { makeVitConfig, NORMALISATION } from '../../src/run/vitConfig';
import { STUDY_LORA } from '../../src/run/loraConfig';
import type { RunConfig } from '../../src/run/records';
import { NOT_FOR_MEDICAL_USE } from '../../src/run/notice';

const LABELS = ['Pneumonia', 'Effusion, pleural'];

const CONFIG: RunConfig = {
  datasetId: 'ds-1', method: 'lora', preset: 'vit_base_patch16', lora: STUDY_LORA, initialisation: 'checkpoint', checkpointId: 'ck-1',
  optimizer: 'adamw', baseLr: 3e-3, scaleLrByBatch: true, minLr: 1e-6, momentum: 0.9, weightDecay: 0.05, layerDecay: 0.65,
  warmupSteps: 50, totalSteps: 4000, batchSize: 64, evalEvery: 200, evalMaxImages: 2000, dropPath: 0.1, augment: true, seed: 3,
};

/** Paths as real datasets have them: nested folders, spaces, unicode, a comma and a quote. */
const SPLITS: RunSplits = {
  train: [
    { path: 'images_002/00001336_000.png', labels: [1, 0] },
    { path: 'images_001/00000013_005.png', labels: [0, -1] },
    { path: 'Patient ü/study 1, "view".png', labels: [1, 1] },
  ],
  val: [{ path: 'images_001/00000032_001.png', labels: [0, 0] }],
  test: [{ path: 'images_003/00004000_000.png', labels: [1, 0] }],
};

function run(name: string, overrides: Partial<RunConfig> = {}, splits: RunSplits = SPLITS): PytorchExportRun {
  return { name, config: { ...CONFIG, ...overrides }, labels: LABELS, splits };
}

const DATASET = { name: 'NIH ChestX-ray14', layout: 'nih' };

function parseCsv(text: string | Uint8Array): string[][] {
  const parsed = Papa.parse<string[]>(String(text), { skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

function readConfig(text: string | Uint8Array): RunConfig & { export: ExportSection } {
  return JSON.parse(String(text)) as RunConfig & { export: ExportSection };
}

describe('buildPytorchExport: one run', () => {
  const exp = buildPytorchExport({ runs: [run('nih lora/r8')], dataset: DATASET });

  it('holds the script, requirements, config, three split files and the README', () => {
    expect(exp.fileName).toBe('nih_lora_r8-pytorch.zip');
    expect(Object.keys(exp.files).sort()).toEqual(['README.md', 'config.json', 'requirements.txt', 'splits/test.csv', 'splits/train.csv', 'splits/val.csv', 'train.py']);
  });

  it('train.py is the repository file, unchanged (imported with ?raw)', () => {
    expect(exp.files['train.py']).toBe(readFileSync(join(__dirname, '..', '..', 'src', 'io', 'pytorch', 'train.py'), 'utf8'));
  });

  it('config.json: the RunConfig round-trips; "export" adds the notice, labels, ViT, normalisation, storage size, splits', () => {
    const { export: section, ...config } = readConfig(exp.files['config.json']);
    expect(config).toEqual(CONFIG);
    expect(section).toEqual({
      notice: NOT_FOR_MEDICAL_USE,
      name: 'nih_lora_r8', labels: LABELS, vit: makeVitConfig('vit_base_patch16', 2), normalisation: NORMALISATION.mae,
      storageSize: 224, dataset: DATASET, splits: 'splits', backbone: null,
    });
  });

  it('split CSVs round-trip: header = path + labels, rows in the lab\'s key order, quoting where needed', () => {
    for (const split of ['train', 'val', 'test'] as const) {
      const [header, ...rows] = parseCsv(exp.files[`splits/${split}.csv`]);
      expect(header).toEqual(['path', ...LABELS]);
      const back: SplitRow[] = rows.map(([path, ...values]) => ({ path, labels: values.map(Number) as SplitRow['labels'] }));
      const expected = [...SPLITS[split]].sort((a, b) => (a.path < b.path ? -1 : 1));
      expect(back).toEqual(expected);
    }
    // Code-unit order: 'P' (0x50) sorts before 'i' (0x69), as IndexedDB orders the lab's keys.
    expect(parseCsv(exp.files['splits/train.csv']).map((r) => r[0])).toEqual(['path', 'Patient ü/study 1, "view".png', 'images_001/00000013_005.png', 'images_002/00001336_000.png']);
  });

  it('requirements pin timm and peft; the README gives the CPU, torchrun and SLURM launch lines', () => {
    expect(exp.files['requirements.txt']).toMatch(/^timm==\d+\.\d+\.\d+$/m);
    expect(exp.files['requirements.txt']).toMatch(/^peft==\d+\.\d+\.\d+$/m);
    const readme = String(exp.files['README.md']);
    expect(readme).toContain('python train.py --data /path/to/dataset --device cpu');
    expect(readme).toContain('torchrun --nproc_per_node=N train.py --data /path/to/dataset');
    expect(readme).toMatch(/srun .*torchrun --nproc_per_node=4 train\.py/);
    expect(readme).toContain('pass it with `--backbone /path/to/checkpoint`');
    expect(readme).toContain(`**${NOT_FOR_MEDICAL_USE}**`);
  });

  it('the zip holds the same files under one folder', () => {
    const unzipped = unzipSync(zipPytorchExport(exp));
    expect(Object.keys(unzipped).sort()).toEqual(Object.keys(exp.files).map((p) => `nih_lora_r8-pytorch/${p}`).sort());
    expect(strFromU8(unzipped['nih_lora_r8-pytorch/config.json'])).toBe(exp.files['config.json']);
  });
});

describe('buildPytorchExport: a grid', () => {
  const otherImages: RunSplits = { ...SPLITS, train: SPLITS.train.slice(0, 1) };
  const backbone = { fileName: 'mae pretrain vit-b.pth', bytes: new Uint8Array([1, 2, 3]) };
  const exp = buildPytorchExport({
    name: 'label fractions',
    runs: [run('lora 1%'), run('fft 1%', { method: 'fft', baseLr: 5e-4 }), run('lora 10%', {}, otherImages), run('lora 1%', { initialisation: 'random' })],
    dataset: DATASET,
    backbone,
  });
  const names = ['lora_1', 'fft_1', 'lora_10', 'lora_1-2'];

  it('one config per cell, split files shared by cells with the same images, launchers, the backbone', () => {
    expect(exp.fileName).toBe('label_fractions-pytorch.zip');
    expect(Object.keys(exp.files).sort()).toEqual([
      'README.md', 'backbone/mae_pretrain_vit-b.pth', ...names.map((n) => `configs/${n}.json`).sort(), 'requirements.txt', 'run_grid.sh', 'slurm_grid.sbatch',
      'splits/lora_1/test.csv', 'splits/lora_1/train.csv', 'splits/lora_1/val.csv',
      'splits/lora_10/test.csv', 'splits/lora_10/train.csv', 'splits/lora_10/val.csv', 'train.py',
    ].sort());
    expect(exp.files['backbone/mae_pretrain_vit-b.pth']).toBe(backbone.bytes);
    const sections = names.map((n) => readConfig(exp.files[`configs/${n}.json`]).export);
    expect(sections.map((s) => s.splits)).toEqual(['splits/lora_1', 'splits/lora_1', 'splits/lora_10', 'splits/lora_1']);
    expect(sections.map((s) => s.backbone?.path ?? null)).toEqual(['backbone/mae_pretrain_vit-b.pth', 'backbone/mae_pretrain_vit-b.pth', 'backbone/mae_pretrain_vit-b.pth', null]);
    expect(readConfig(exp.files['configs/fft_1.json'])).toMatchObject({ method: 'fft', baseLr: 5e-4 });
    expect(parseCsv(exp.files['splits/lora_10/train.csv'])).toHaveLength(2);
  });

  it('run_grid.sh loops over every cell; the SLURM job array has one task per cell', () => {
    expect(exp.files['run_grid.sh']).toContain(`for cell in ${names.join(' ')}; do`);
    expect(exp.files['run_grid.sh']).toContain('torchrun --nproc_per_node="$NPROC" train.py --data "$DATA" --config "configs/$cell.json"');
    const sbatch = String(exp.files['slurm_grid.sbatch']);
    expect(sbatch).toContain('#SBATCH --array=0-3');
    expect(sbatch).toContain(`CELLS=(${names.join(' ')})`);
    expect(sbatch).toContain('--config "configs/$CELL.json"');
    expect(String(exp.files['README.md'])).toContain('DATA=/path/to/dataset NPROC=4 bash run_grid.sh');
  });
});

describe('buildPytorchExport refuses what train.py could not run', () => {
  it.each([
    ['no runs', () => buildPytorchExport({ runs: [], dataset: DATASET }), /no runs/],
    ['a row with the wrong number of labels', () => buildPytorchExport({ runs: [run('a', {}, { ...SPLITS, val: [{ path: 'x.png', labels: [1] }] })], dataset: DATASET }), /x\.png has labels/],
    ['a label value other than 1, 0, -1', () => buildPytorchExport({ runs: [run('a', {}, { ...SPLITS, val: [{ path: 'x.png', labels: [2, 0] as never }] })], dataset: DATASET }), /x\.png has labels/],
    ['an image in two splits', () => buildPytorchExport({ runs: [run('a', {}, { ...SPLITS, test: SPLITS.val })], dataset: DATASET }), /appears twice/],
    ['no training images', () => buildPytorchExport({ runs: [run('a', {}, { ...SPLITS, train: [] })], dataset: DATASET }), /no training images/],
    ['a ViT with another number of outputs', () => buildPytorchExport({ runs: [{ ...run('a'), vit: makeVitConfig('tiny', 3) }], dataset: DATASET }), /3 outputs for 2 labels/],
  ])('%s', (_, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('helpers', () => {
  it('safeName keeps letters, digits, dot, dash, underscore', () => {
    expect(safeName('NIH / LoRA r=8 (1 %)')).toBe('NIH_LoRA_r_8_1');
    expect(safeName('..')).toBe('run');
  });

  it('splitCsv writes -1 for ignored labels and CRLF line ends (RFC 4180)', () => {
    expect(splitCsv(['A'], [{ path: 'b.png', labels: [-1] }, { path: 'a.png', labels: [1] }])).toBe('path,A\r\na.png,1\r\nb.png,-1\r\n');
  });
});
