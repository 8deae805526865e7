/**
 * Issue 5 through the real browser: the pretrained demo backbone, HF PEFT adapter export / import, merged-model
 * export, and a PyTorch .pth checkpoint streamed into the model cache (kept across a reload) and trained.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { configureRun, downloadJson, expect, loadDemo, test, waitForFinish } from './lab';
import type { MetricsLog } from '../src/run/records';

/** Clicks a download button and keeps the file under the name the page gave it. */
async function download(page: Page, button: string): Promise<{ name: string; file: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  const file = test.info().outputPath(d.suggestedFilename());
  await d.saveAs(file);
  return { name: d.suggestedFilename(), file };
}

/** The JSON header of a safetensors file: name -> {dtype, shape}. */
function safetensorsHeader(bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  delete header.__metadata__;
  return header;
}

async function train(page: Page, steps: number): Promise<MetricsLog> {
  await configureRun(page, { method: 'LoRA', steps, batchSize: 8, evalEvery: steps, evalImages: 16 });
  await page.getByRole('button', { name: 'Start training' }).click();
  await waitForFinish(page);
  return downloadJson<MetricsLog>(page, 'Download metrics');
}

test('pretrained demo backbone -> LoRA -> PEFT adapter and merged model out -> adapter back in', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await loadDemo(page);
  await page.getByRole('combobox', { name: 'Initialisation' }).selectOption({ label: 'Pretrained demo backbone' });
  await expect(page.getByText('The backbone starts from random weights (no pretrained model loaded)')).toHaveCount(0);
  const first = await train(page, 6);
  expect(first.config.initialisation).toBe('pretrained-demo');
  expect(first.config.initialisationNote).toMatch(/pretrained demo backbone/);

  const adapter = await download(page, 'Export adapter (PEFT)');
  expect(adapter.name).toMatch(/-adapter\.zip$/);
  const files = unzipSync(new Uint8Array(await readFile(adapter.file)));
  expect(Object.keys(files).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
  const config = JSON.parse(new TextDecoder().decode(files['adapter_config.json']));
  // q and v of the fused qkv as one PEFT adapter of rank 2r on `qkv` (K rows of B are zero), alpha doubled.
  expect(config).toMatchObject({ peft_type: 'LORA', r: 16, lora_alpha: 64, bias: 'none', use_rslora: false, modules_to_save: ['fc_norm', 'head'] });
  expect(config.target_modules).toEqual(expect.arrayContaining(['blocks.0.attn.qkv', 'blocks.1.attn.qkv']));
  const adapterTensors = safetensorsHeader(files['adapter_model.safetensors']);
  expect(adapterTensors['base_model.model.blocks.0.attn.qkv.lora_A.weight'].shape).toEqual([16, 64]);
  expect(adapterTensors['base_model.model.blocks.0.attn.qkv.lora_B.weight'].shape).toEqual([192, 16]);
  expect(adapterTensors['base_model.model.head.weight'].shape).toEqual([1, 64]);

  const merged = await download(page, 'Export merged model');
  const mergedTensors = safetensorsHeader(new Uint8Array(await readFile(merged.file)));
  expect(mergedTensors['blocks.1.attn.qkv.weight'].shape).toEqual([192, 64]);
  expect(mergedTensors['patch_embed.proj.weight'].shape).toEqual([64, 3, 16, 16]);
  expect(Object.keys(mergedTensors).some((k) => k.includes('lora'))).toBe(false);

  await page.getByLabel('Import adapter (PEFT)').setInputFiles(adapter.file);
  await expect(page.getByText(/LoRA r=8, alpha=32 on qkv\.q, qkv\.v/)).toBeVisible();
  await expect(page.getByRole('slider', { name: 'LoRA rank' })).toHaveAttribute('aria-valuenow', '8');
  const second = await train(page, 2);
  expect(second.config.initialisationNote).toMatch(/imported adapter \(r=8, with its fc_norm\/head\)/);
});

test('a PyTorch .pth checkpoint is streamed into the cache, summarised, kept across a reload, and trains', async ({ page, watch }) => {
  void watch;
  await page.goto('/?backend=wasm');
  await page.getByLabel('Choose dataset folder').setInputFiles(path.resolve('e2e/fixtures/xray-folder'));
  await expect(page.getByText(/Ingested 44 images/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole('combobox', { name: 'Initialisation' }).selectOption({ label: 'Load checkpoint…' });
  // tests/fixtures/io/vit_small.pth: a timm-layout ViT saved by torch.save({"model": state_dict}) (scripts/make_io_golden.py)
  await page.getByLabel('Load checkpoint').setInputFiles(path.resolve('tests/fixtures/io/vit_small.pth'));
  await expect(page.getByText('vit_small.pth').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/newly initialised/i).first()).toBeVisible();

  await page.reload();
  await page.getByRole('combobox', { name: 'Initialisation' }).selectOption({ label: 'Load checkpoint…' });
  await expect(page.getByRole('combobox', { name: 'Cached checkpoint' })).toContainText('vit_small.pth (32 px input, patch 8, width 32, 2 blocks');
  const log = await train(page, 3);
  expect(log.config.initialisation).toBe('checkpoint');
  expect(log.config.initialisationNote).toMatch(/checkpoint .*tensors loaded/);
  expect(log.steps).toHaveLength(3);
});
