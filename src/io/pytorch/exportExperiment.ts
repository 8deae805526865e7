/**
 * "Export for PyTorch": a run or a grid of runs as a folder a PyTorch user can launch with torchrun — the
 * training script (train.py: timm + PEFT + DistributedDataParallel), pinned requirements, the lab's run
 * config(s), the exact split lists the lab trained on, a README with the launch lines and, for a grid, a shell
 * loop and a SLURM job-array. Pure: the application layer gathers configs and splits from IndexedDB and
 * hands them in; nothing here touches storage, workers or the DOM.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import trainPy from './train.py?raw';
import type { RunConfig } from '../../run/records';
import type { LabelValue, Split } from '../../run/datasets';
import { makeVitConfig, NORMALISATION, type VitConfig } from '../../run/vitConfig';
import { exportReadme } from './exportReadme';
import { NOT_FOR_MEDICAL_USE } from '../../run/notice';

export { trainPy as TRAIN_PY };

/** One image of a split: its path relative to the dataset root and its labels (1, 0, -1 = ignored). */
export interface SplitRow {
  path: string;
  labels: LabelValue[];
}

/** The images a run used: train is the subset the run trains on (RunConfig.trainFraction already applied). */
export type RunSplits = Record<Split, SplitRow[]>;

export interface PytorchExportRun {
  /** Run name (a grid cell's name): becomes the config / output folder name, sanitised. */
  name: string;
  config: RunConfig;
  labels: string[];
  splits: RunSplits;
  /** The model's architecture; default: the config's preset with one output per label. A checkpoint decides its own. */
  vit?: VitConfig;
  /** Input normalisation the run used; default MAE's (the lab's for random, demo and checkpoint initialisation). */
  normalisation?: { mean: number; std: number };
}

export interface BackboneForExport {
  /** The file the run started from (the demo backbone, a checkpoint, the lab's exported backbone). */
  fileName: string;
  /** Included in the export under backbone/ when given; otherwise the README asks for the file by name. */
  bytes?: Uint8Array;
  note?: string;
}

export interface PytorchExportInput {
  /** Name of the export (a grid's name); default: the single run's name, or "grid-<n>-cells". */
  name?: string;
  runs: PytorchExportRun[];
  dataset: { name: string; layout: string; storageSize?: number };
  backbone?: BackboneForExport;
}

export interface PytorchExport {
  fileName: string;
  /** Path inside the export -> content. */
  files: Record<string, Uint8Array | string>;
}

/** The "export" section of config.json: what train.py needs besides the lab's RunConfig. */
export interface ExportSection {
  /** "Not for medical use" (src/run/notice.ts): train.py writes it into every file it produces. */
  notice: string;
  name: string;
  labels: string[];
  vit: VitConfig;
  normalisation: { mean: number; std: number };
  /** The lab's stored image size: train.py resizes the original files to it first, as the lab's ingest did. */
  storageSize: number;
  dataset: { name: string; layout: string };
  /** Folder of train.csv / val.csv / test.csv, relative to the export root. */
  splits: string;
  backbone: { fileName: string; path: string | null; note: string | null } | null;
}

/** What the export was tested with (scripts/golden_pytorch_export.sh, docs/pytorch-export.md). */
export const TESTED_VERSIONS = {
  torch: '1.13.1 (Debian 12 python3-torch)',
  timm: '1.0.29',
  peft: '0.21.0',
  safetensors: '0.8.0',
  numpy: '1.24.2',
  Pillow: '9.4.0',
  pydicom: '3.0.2',
} as const;

export const REQUIREMENTS_TXT = [
  `# Tested with torch ${TESTED_VERSIONS.torch}, timm ${TESTED_VERSIONS.timm}, peft ${TESTED_VERSIONS.peft},`,
  `# safetensors ${TESTED_VERSIONS.safetensors}, numpy ${TESTED_VERSIONS.numpy}, Pillow ${TESTED_VERSIONS.Pillow}.`,
  '# torch is a floor so that a CUDA build matching your driver can be installed; the rest are pinned.',
  '# DICOM datasets also need pydicom.',
  'torch>=1.13',
  `timm==${TESTED_VERSIONS.timm}`,
  `peft==${TESTED_VERSIONS.peft}`,
  `safetensors==${TESTED_VERSIONS.safetensors}`,
  'numpy>=1.24',
  'Pillow>=9.4',
  '',
].join('\n');

/** A name usable as a file / folder name on every system. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+|[._]+$/g, '');
  return cleaned || 'run';
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Code-unit order: the order of the lab's IndexedDB keys, which its seeded shuffles start from. */
function byPath(a: SplitRow, b: SplitRow): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** One split as CSV (RFC 4180): `path,<label 1>,...`, rows in the lab's key order, values 1 / 0 / -1. */
export function splitCsv(labels: string[], rows: SplitRow[]): string {
  const lines = [['path', ...labels].map(csvCell).join(',')];
  for (const row of [...rows].sort(byPath)) lines.push([csvCell(row.path), ...row.labels.map(String)].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function validateRun(run: PytorchExportRun, vit: VitConfig): void {
  if (run.labels.length === 0) throw new Error(`run ${run.name} has no labels`);
  if (vit.numClasses !== run.labels.length) throw new Error(`run ${run.name}: the model has ${vit.numClasses} outputs for ${run.labels.length} labels`);
  if (run.splits.train.length === 0) throw new Error(`run ${run.name} has no training images`);
  const seen = new Set<string>();
  for (const split of ['train', 'val', 'test'] as const) {
    for (const row of run.splits[split]) {
      if (seen.has(row.path)) throw new Error(`run ${run.name}: ${row.path} appears twice in the splits`);
      seen.add(row.path);
      if (row.labels.length !== run.labels.length || row.labels.some((v) => v !== 0 && v !== 1 && v !== -1)) {
        throw new Error(`run ${run.name}: ${row.path} has labels [${row.labels}], expected ${run.labels.length} values of 1, 0 or -1`);
      }
    }
  }
}

function uniqueNames(runs: PytorchExportRun[]): string[] {
  const used = new Set<string>();
  return runs.map((run) => {
    const base = safeName(run.name);
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}-${k}`;
    used.add(name);
    return name;
  });
}

export function buildPytorchExport(input: PytorchExportInput): PytorchExport {
  const { runs, dataset, backbone } = input;
  if (runs.length === 0) throw new Error('nothing to export: no runs');
  const grid = runs.length > 1;
  const names = uniqueNames(runs);
  const exportName = safeName(input.name ?? (grid ? `grid-${runs.length}-cells` : runs[0].name));
  const storageSize = dataset.storageSize ?? 224;
  const files: Record<string, Uint8Array | string> = { 'train.py': trainPy, 'requirements.txt': REQUIREMENTS_TXT };
  const backboneDir = backbone?.bytes ? `backbone/${safeName(backbone.fileName)}` : null;
  if (backbone?.bytes && backboneDir) files[backboneDir] = backbone.bytes;

  // Cells with the same images and labels share one folder of split files.
  const splitFolders = new Map<string, string>();
  const sections: ExportSection[] = runs.map((run, i) => {
    const vit = run.vit ?? makeVitConfig(run.config.preset, run.labels.length);
    validateRun(run, vit);
    const csvs = (['train', 'val', 'test'] as const).map((s) => [s, splitCsv(run.labels, run.splits[s])] as const);
    const key = csvs.map(([, text]) => text).join('\u0000');
    let folder = splitFolders.get(key);
    if (!folder) {
      folder = grid ? `splits/${names[i]}` : 'splits';
      splitFolders.set(key, folder);
      for (const [split, text] of csvs) files[`${folder}/${split}.csv`] = text;
    }
    const usesBackbone = run.config.initialisation !== 'random' && backbone;
    return {
      notice: NOT_FOR_MEDICAL_USE,
      name: names[i],
      labels: [...run.labels],
      vit,
      normalisation: run.normalisation ?? NORMALISATION.mae,
      storageSize,
      dataset: { name: dataset.name, layout: dataset.layout },
      splits: folder,
      backbone: usesBackbone ? { fileName: backbone.fileName, path: backboneDir, note: backbone.note ?? null } : null,
    };
  });

  runs.forEach((run, i) => {
    const text = `${JSON.stringify({ ...run.config, export: sections[i] }, null, 2)}\n`;
    files[grid ? `configs/${names[i]}.json` : 'config.json'] = text;
  });
  if (grid) {
    files['run_grid.sh'] = gridShellLoop(names);
    files['slurm_grid.sbatch'] = slurmArray(exportName, names);
  }
  files['README.md'] = exportReadme({ exportName, grid, names, runs, sections, backbone: backbone ?? null, testedVersions: TESTED_VERSIONS });
  return { fileName: `${exportName}-pytorch.zip`, files };
}

function gridShellLoop(names: string[]): string {
  return [
    '#!/usr/bin/env bash',
    '# Runs every cell of the grid, one after another: DATA=/path/to/dataset [NPROC=<processes per cell>] bash run_grid.sh',
    '# Extra arguments go to every train.py (e.g. --device cpu). Each cell writes to runs/<cell>/.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    ': "${DATA:?set DATA to the dataset root}"',
    'NPROC=${NPROC:-1}',
    `for cell in ${names.join(' ')}; do`,
    '  torchrun --nproc_per_node="$NPROC" train.py --data "$DATA" --config "configs/$cell.json" --out "runs/$cell" "$@"',
    'done',
    '',
  ].join('\n');
}

function slurmArray(exportName: string, names: string[]): string {
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${exportName}`,
    `#SBATCH --array=0-${names.length - 1}`,
    '#SBATCH --nodes=1',
    '#SBATCH --gres=gpu:1',
    '#SBATCH --cpus-per-task=8',
    '#SBATCH --time=24:00:00',
    '#SBATCH --output=slurm-%A_%a.out',
    '# One array task per grid cell. Submit from this folder: sbatch --export=ALL,DATA=/path/to/dataset slurm_grid.sbatch',
    '# More GPUs per cell: raise --gres=gpu:N above and pass GPUS=N in --export.',
    'set -euo pipefail',
    `CELLS=(${names.join(' ')})`,
    'CELL=${CELLS[$SLURM_ARRAY_TASK_ID]}',
    'cd "${SLURM_SUBMIT_DIR:-.}"',
    'torchrun --nproc_per_node="${GPUS:-1}" train.py --data "$DATA" --config "configs/$CELL.json" --out "runs/$CELL"',
    '',
  ].join('\n');
}

/** The export as one zip (the page saves it as `fileName`); binary files are stored, text deflated. */
export function zipPytorchExport(exp: PytorchExport): Uint8Array {
  const root = exp.fileName.replace(/\.zip$/, '');
  const entries: Zippable = {};
  for (const [path, content] of Object.entries(exp.files)) {
    entries[`${root}/${path}`] = typeof content === 'string' ? strToU8(content) : [content, { level: 0 }];
  }
  return zipSync(entries);
}
