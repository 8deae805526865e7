/**
 * Writes the inputs of the PyTorch-export golden: for every case of tests/io/pytorchGoldenCases.ts, the export the
 * lab's builder makes (train.py, config.json, splits/, README.md, ...) plus the case's initial weights
 * (initial.safetensors, initial_adapter/). Run by scripts/golden_pytorch_export.sh:
 *   npx vite-node scripts/write_pytorch_golden_inputs.ts <out dir>
 * vite-node (in node_modules) runs TypeScript with Vite's transforms, so train.py arrives through `?raw` exactly
 * as in the app's bundle.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildPytorchExport } from '../src/io/pytorch/exportExperiment';
import { fixtureSplits, GOLDEN_CASES, initialFiles, initialModel, LABELS, STORAGE_SIZE } from '../tests/io/pytorchGoldenCases';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: vite-node scripts/write_pytorch_golden_inputs.ts <out dir>');
  await tf.setBackend('cpu');
  for (const c of GOLDEN_CASES) {
    const exported = buildPytorchExport({
      runs: [{ name: c.name, config: c.config, labels: LABELS, splits: fixtureSplits() }],
      dataset: { name: 'nih-fixture', layout: 'generic-csv', storageSize: STORAGE_SIZE },
    });
    const model = await initialModel(c);
    const files = { ...exported.files, ...(await initialFiles(model)) };
    model.dispose();
    for (const [path, content] of Object.entries(files)) {
      const target = join(out, c.name, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    console.log(`${c.name}: ${Object.keys(files).length} files`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
