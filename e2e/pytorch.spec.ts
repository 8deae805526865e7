/**
 * Issue 14's round trip through the real browser: a demo grid exported for PyTorch (the zip holds train.py, the
 * pinned requirements, each cell's config, the exact split lists with the lab's images and labels, the launch lines,
 * a shell loop and a SLURM array), and the output of that script run outside the browser (committed:
 * e2e/fixtures/pytorch-run, made by scripts/make_pytorch_roundtrip_fixture.mjs) imported back as a run marked
 * "PyTorch (external)", in the Runs list and in a results table beside the browser runs.
 */
import Papa from 'papaparse';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { configureRun, expect, loadDemo, test } from './lab';

test('a demo grid exported for PyTorch, and a PyTorch run of one of its cells imported back beside the browser runs', async ({ page, watch }) => {
  void watch;
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByRole('status').filter({ hasText: 'Backend: wasm' })).toBeVisible();
  await loadDemo(page);
  await configureRun(page, { steps: 20, batchSize: 8, evalEvery: 10, evalImages: 32 });
  const grid = page.getByRole('region', { name: '8. Experiment grid' });
  for (const name of ['Linear probe', '1 %', '10 %']) await grid.getByRole('checkbox', { name, exact: true }).uncheck();
  await grid.getByRole('button', { name: 'Run grid (2 runs)' }).click();
  await expect(grid.getByRole('status').filter({ hasText: 'Grid finished: 2 runs.' })).toBeVisible({ timeout: 240_000 });

  const [download] = await Promise.all([page.waitForEvent('download'), grid.getByRole('button', { name: 'Export grid for PyTorch' }).click()]);
  expect(download.suggestedFilename()).toMatch(/-pytorch\.zip$/);
  const zip = unzipSync(new Uint8Array(await readFile((await download.path())!)));
  const names = Object.keys(zip).map((n) => n.slice(n.indexOf('/') + 1));
  for (const f of ['train.py', 'requirements.txt', 'README.md', 'run_grid.sh', 'slurm_grid.sbatch']) expect(names).toContain(f);
  const configs = names.filter((n) => n.startsWith('configs/') && n.endsWith('.json'));
  expect(configs).toHaveLength(2);
  const text = (suffix: string) => new TextDecoder().decode(zip[Object.keys(zip).find((n) => n.endsWith(suffix))!]);
  const config = JSON.parse(text(configs[0]));
  expect(config).toMatchObject({ totalSteps: 20, batchSize: 8, seed: 1, preset: 'tiny', initialisation: 'pretrained-demo' });
  expect(text('README.md')).toMatch(/torchrun --nproc_per_node=N train\.py --data/);
  // The split lists are the lab's: the demo's 70 / 10 / 20 % split of 500 images, every path with its label.
  const rows = (suffix: string) => Papa.parse<Record<string, string>>(text(suffix), { header: true, skipEmptyLines: true });
  const train = rows('train.csv');
  expect(train.errors).toEqual([]);
  expect(train.meta.fields).toEqual(['path', 'PNEUMONIA']);
  expect(train.data.length + rows('val.csv').data.length + rows('test.csv').data.length).toBe(500);
  expect(train.data[0].path).toMatch(/^chest_xray_demo\/(NORMAL|PNEUMONIA)\/.+\.jpeg$/);
  expect(names.some((n) => n.startsWith('backbone/') && n.endsWith('.safetensors'))).toBe(true);

  // The script's output for the LoRA cell, run outside the browser, comes back in.
  const fixture = path.resolve('e2e/fixtures/pytorch-run/run');
  await page.getByLabel('Import run results (PyTorch)…').setInputFiles([
    path.join(fixture, 'metrics.json'),
    path.join(fixture, 'adapter', 'adapter_config.json'),
    path.join(fixture, 'adapter', 'adapter_model.safetensors'),
  ]);
  const imported = page.locator('tr[data-run-id]').filter({ hasText: 'PyTorch (external)' });
  await expect(imported).toHaveCount(1);
  await expect(imported).toHaveAttribute('data-status', 'finished');
  const metrics = JSON.parse(await readFile(path.join(fixture, 'metrics.json'), 'utf8'));
  await expect(imported).toContainText(metrics.test.macroAuroc.toFixed(3));
  const external = page.getByRole('group', { name: 'Results run outside the browser' });
  await expect(external.locator('tr[data-method="lora"][data-fraction="1"][data-macro-auroc]')).toHaveCount(1);
  // Its adapter is the run's model: it exports like a browser run's.
  const [adapter] = await Promise.all([page.waitForEvent('download'), imported.getByRole('button', { name: 'Adapter (PEFT)' }).click()]);
  expect(adapter.suggestedFilename()).toMatch(/-adapter\.zip$/);
});
