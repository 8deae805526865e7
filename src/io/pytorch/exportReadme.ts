/**
 * The README.md of a PyTorch export: what the folder holds, the launch lines (one CPU, N GPUs, SLURM, the grid
 * launchers), the outputs, and what is and is not identical to the lab's run. Text only; exportExperiment.ts
 * decides the files.
 */
import type { BackboneForExport, ExportSection, PytorchExportRun } from './exportExperiment';

export interface ReadmeInput {
  exportName: string;
  grid: boolean;
  names: string[];
  runs: PytorchExportRun[];
  sections: ExportSection[];
  backbone: BackboneForExport | null;
  testedVersions: Record<string, string>;
}

function runTable(input: ReadmeInput): string {
  const header = '| run | method | optimizer | peak lr rule | steps | batch | seed | train / val / test images | labels |';
  const rule = '|---|---|---|---|---|---|---|---|---|';
  const rows = input.runs.map((run, i) => {
    const c = run.config;
    const lr = c.scaleLrByBatch ? `${c.baseLr} x batch / 256` : String(c.baseLr);
    const method = c.method === 'lora' ? `LoRA r ${c.lora.r}, alpha ${c.lora.lora_alpha}` : c.method === 'fft' ? 'full fine-tuning' : 'linear probe';
    const counts = `${run.splits.train.length} / ${run.splits.val.length} / ${run.splits.test.length}`;
    return `| ${input.names[i]} | ${method} | ${c.optimizer} | ${lr} | ${c.totalSteps} | ${c.batchSize} | ${c.seed} | ${counts} | ${run.labels.join(', ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

function backboneText(input: ReadmeInput): string {
  const usesBackbone = input.runs.some((r) => r.config.initialisation !== 'random');
  if (!usesBackbone) return 'The run(s) start from random weights (timm\'s initialisation): no backbone file is needed.';
  const b = input.backbone;
  if (!b) return 'The run(s) start from a pretrained backbone the lab did not include: pass it with `--backbone /path/to/checkpoint`.';
  if (b.bytes) return `The backbone the lab used, \`${b.fileName}\`, is included under \`backbone/\` and loaded automatically.`;
  return `The run(s) started from \`${b.fileName}\`, which is not included (too large to bundle): pass it with \`--backbone /path/to/${b.fileName}\`.`;
}

export function exportReadme(input: ReadmeInput): string {
  const { exportName, grid, names } = input;
  const configArg = grid ? ` --config configs/${names[0]}.json` : '';
  const dataset = input.sections[0].dataset;
  const lines = [
    `# ${exportName}: a CXR PEFT Lab experiment for PyTorch`,
    '',
    `**${input.sections[0].notice}**`,
    '',
    `Exported by CXR PEFT Lab from dataset "${dataset.name}" (layout ${dataset.layout}). \`train.py\` repeats the lab's`,
    'run with PyTorch, timm (the ViT) and Hugging Face PEFT (LoRA), on CPU, one GPU or many GPUs',
    '(DistributedDataParallel launched by `torchrun`).',
    '',
    '## Files',
    '- `train.py`: the whole training script (one file; comments name the lab setting each part implements).',
    '- `requirements.txt`: the versions it was tested with.',
    grid ? '- `configs/<run>.json`: one lab run config per grid cell.' : '- `config.json`: the lab run config.',
    '  Top-level fields are the lab\'s own (`baseLr`, `warmupSteps`, `dropPath`, `lora`, ...); `export` adds the label',
    '  names, ViT sizes, input normalisation, the lab\'s storage size and which split / backbone files belong to the run.',
    `- \`splits/${grid ? '<run>/' : ''}{train,val,test}.csv\`: the exact images and labels the lab used (the run's label fraction`,
    '  applied to train), `path,<label>,...` with paths relative to the dataset root and values 1, 0 or -1 (-1 = ignored).',
    ...(grid ? ['- `run_grid.sh`: runs every cell in turn; `slurm_grid.sbatch`: a SLURM job array, one task per cell.'] : []),
    ...(input.backbone?.bytes ? ['- `backbone/`: the pretrained backbone the run(s) started from.'] : []),
    '',
    '## Runs',
    runTable(input),
    '',
    '## Set up',
    '```bash',
    'python3 -m venv .venv && . .venv/bin/activate',
    'pip install -r requirements.txt   # install the torch build for your CUDA first if pip\'s default does not fit',
    '```',
    backboneText(input),
    '',
    '`--data` is the dataset root: the folder you gave the lab. The split files name images relative to it; the',
    'original PNG / JPEG / DICOM files are read and converted the way the lab stored them (8-bit grayscale,',
    `${input.sections[0].storageSize} x ${input.sections[0].storageSize}, stretched).`,
    '',
    '## Launch',
    '```bash',
    '# one CPU process',
    `python train.py --data /path/to/dataset${configArg} --device cpu`,
    '# N GPUs on one machine (one process per GPU; the global batch is the lab\'s batch size, shared between them)',
    `torchrun --nproc_per_node=N train.py --data /path/to/dataset${configArg}`,
    '# SLURM, one node with 4 GPUs',
    `srun --nodes=1 --gres=gpu:4 --cpus-per-task=16 torchrun --nproc_per_node=4 train.py --data /path/to/dataset${configArg}`,
    ...(grid
      ? [
          '# every cell of the grid, one after another (NPROC processes each)',
          'DATA=/path/to/dataset NPROC=4 bash run_grid.sh',
          '# every cell as one task of a SLURM job array',
          'sbatch --export=ALL,DATA=/path/to/dataset slurm_grid.sbatch',
        ]
      : []),
    '```',
    'Useful options: `--out DIR` (default `runs/<run>`), `--workers N` (image-decoding processes), `--micro-batch N`',
    '(gradient accumulation when a batch does not fit), `--adapter DIR` (start LoRA from a PEFT adapter, as the',
    'lab\'s "Import adapter"), `--backbone FILE --keep-classifier` (start from a model with its fc_norm / head).',
    '',
    '## Outputs',
    '- `metrics.json`: the lab\'s "Download metrics" format (config, labels, steps, evaluations, events, params,',
    '  startedAt, test), so the lab\'s charts and CSV export read it. Validation evaluations every `evalEvery` steps on',
    '  the same `evalMaxImages` images as the lab; `test` is the study\'s score: the best validation checkpoint (highest',
    '  macro AUROC), adapter merged, on the whole test split, with AUROC per label, calibration error (15 bins) and a',
    '  1,000-resample bootstrap interval of the macro AUROC, as the lab computes them.',
    '- `adapter/` (LoRA runs): the best adapter as PEFT `save_pretrained` writes it; the lab\'s "Import adapter" reads it.',
    '- `merged.safetensors`: the best model with the adapter merged, timm parameter names (`timm` loads it with',
    '  `load_state_dict`, the lab with "Load checkpoint").',
    '',
    '## Same as the lab, and not',
    'Identical: batch order (the lab\'s seeded shuffles), augmentation crops (RandomResizedCrop + flip boxes from the',
    'lab\'s per-step generator, sampled like the lab), the evaluation subset and transform, the ViT, LoRA on q and v of',
    'the fused qkv (PEFT rank 2r with a block `lora_B`, see train.py), loss, gradients, SGD / AdamW with layer-wise',
    'lr decay and no weight decay on 1-D tensors, warm-up + cosine per step. With torchrun the N processes compute',
    'the same step as one process with the whole batch.',
    'Not identical: PyTorch draws its own drop-path and LoRA-dropout masks and its own fresh weights (LoRA A, a new',
    'head), so runs with dropout are equal in distribution, not number for number. 8-bit PNG / JPEG files are',
    'resized here by area averaging, the lab used the browser\'s scaler: a few gray levels differ at edges.',
    '',
    `Tested with ${Object.entries(input.testedVersions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}
