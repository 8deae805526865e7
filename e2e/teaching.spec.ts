/**
 * Teaching mode, part 1, through the real browser (WASM): the URL is the lesson ("Copy link" round-trips every
 * setting; a bad address is noted, not fatal), a classroom link opens in a fresh browser with the hidden sections and
 * controls absent and the linked settings in effect, and trains; "Step" advances exactly one step; the explanations
 * follow the model; "Not for medical use" stays in view. The new controls are used with the keyboard.
 */
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { configureRun, downloadJson, expect, loadDemo, statusText, test, waitForFinish } from './lab';
import type { MetricsLog } from '../src/run/records';

const DEMO_NAME = 'Kermany pediatric pneumonia sample (demo)';

/** Presses Tab until `target` has the focus: proves it is in the keyboard order. */
async function tabTo(page: Page, target: Locator, max = 250): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} is not reachable with Tab`);
}

/** The fixture's checks for a page it does not watch: console errors and requests leaving the origin. */
function watchPage(page: Page, origin: string): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin) errors.push(`foreign request: ${url}`);
  });
  return { errors };
}

async function openWasm(page: Page, path = '/?backend=wasm'): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('status').filter({ hasText: 'Backend: wasm' })).toBeVisible({ timeout: 120_000 });
}

const combo = (page: Page, name: string) => page.getByRole('combobox', { name, exact: true });
const spin = (page: Page, name: string) => page.getByRole('spinbutton', { name, exact: true });

test('"Copy link" round-trips every setting, and the address follows the settings as they change', async ({ page, watch, context, baseURL }) => {
  void watch;
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openWasm(page);
  await loadDemo(page);
  // Every setting away from its default (order matters: a recipe or a new step count rewrites fields after it).
  await combo(page, 'Initialisation').selectOption('random');
  await combo(page, 'Model size').selectOption('vit_tiny_patch16');
  await combo(page, 'Recipe preset').selectOption('mae-adamw');
  await combo(page, 'Optimizer').selectOption('sgd');
  await spin(page, 'Steps').fill('37');
  const values: [string, string][] = [
    ['Batch size', '12'],
    ['Learning rate', '0.0123'],
    ['Minimum lr', '0.00001'],
    ['Warm-up', '3'],
    ['Momentum', '0.8'],
    ['Weight decay', '0.02'],
    ['Layer decay', '0.7'],
    ['Drop path', '0.05'],
    ['Training seed', '42'],
    ['Evaluate every', '7'],
    ['Validation images per evaluation', '24'],
    ['LoRA dropout', '0.2'],
  ];
  for (const [name, value] of values) await spin(page, name).fill(value);
  await page.getByRole('checkbox', { name: 'Scale learning rate by batch / 256' }).setChecked(false);
  await page.getByRole('checkbox', { name: /Augment/ }).setChecked(false);
  await page.getByRole('checkbox', { name: 'K (attn.qkv)' }).check();
  await page.getByRole('checkbox', { name: 'V (attn.qkv)' }).uncheck();
  await page.getByRole('checkbox', { name: 'attn.proj' }).check();
  await page.getByRole('checkbox', { name: /rsLoRA/ }).check();
  await page.getByRole('slider', { name: 'LoRA rank' }).fill('5');
  await page.getByRole('slider', { name: 'LoRA alpha' }).fill('20');

  // The address follows (written without a reload a moment after the last change).
  await expect.poll(() => new URL(page.url()).searchParams.get('lora_alpha')).toBe('20');
  const address = new URL(page.url());
  expect(Object.fromEntries(address.searchParams)).toEqual({
    dataset: DEMO_NAME,
    preset: 'vit_tiny_patch16',
    initialisation: 'random',
    recipe: 'mae-adamw',
    optimizer: 'sgd',
    baseLr: '0.0123',
    scaleLrByBatch: 'false',
    minLr: '0.00001',
    warmupSteps: '3',
    momentum: '0.8',
    weightDecay: '0.02',
    layerDecay: '0.7',
    dropPath: '0.05',
    totalSteps: '37',
    batchSize: '12',
    evalEvery: '7',
    evalMaxImages: '24',
    augment: 'false',
    seed: '42',
    r: '5',
    lora_alpha: '20',
    lora_dropout: '0.2',
    use_rslora: 'true',
    targets: 'q,k,proj',
    backend: 'wasm',
  });

  // "Copy link", from the keyboard.
  const copy = page.getByRole('button', { name: 'Copy link', exact: true });
  await page.locator('body').focus();
  await tabTo(page, copy);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Link copied.' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(new URL(copied).search).toBe(address.search);

  // The link opened afresh restores every control.
  const second = await context.newPage();
  const seen = watchPage(second, new URL(baseURL!).origin);
  await second.goto(copied);
  await expect(second.getByRole('status').filter({ hasText: 'Backend: wasm' })).toBeVisible({ timeout: 120_000 });
  await expect(combo(second, 'Stored dataset').locator('option:checked')).toHaveText(new RegExp(`^${DEMO_NAME.replace(/[()]/g, '\\$&')}`));
  await expect(combo(second, 'Method')).toHaveValue('lora');
  await expect(combo(second, 'Initialisation')).toHaveValue('random');
  await expect(combo(second, 'Model size')).toHaveValue('vit_tiny_patch16');
  await expect(combo(second, 'Recipe preset')).toHaveValue('mae-adamw');
  await expect(combo(second, 'Optimizer')).toHaveValue('sgd');
  await expect(spin(second, 'Steps')).toHaveValue('37');
  for (const [name, value] of values) await expect(spin(second, name), name).toHaveValue(value);
  await expect(second.getByRole('checkbox', { name: 'Scale learning rate by batch / 256' })).not.toBeChecked();
  await expect(second.getByRole('checkbox', { name: /Augment/ })).not.toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'Q (attn.qkv)' })).toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'K (attn.qkv)' })).toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'V (attn.qkv)' })).not.toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'attn.proj' })).toBeChecked();
  await expect(second.getByRole('checkbox', { name: 'mlp.fc1' })).not.toBeChecked();
  await expect(second.getByRole('checkbox', { name: /rsLoRA/ })).toBeChecked();
  await expect(second.getByRole('slider', { name: 'LoRA rank' })).toHaveAttribute('aria-valuenow', '5');
  await expect(second.getByRole('slider', { name: 'LoRA alpha' })).toHaveAttribute('aria-valuenow', '20');
  await expect(second.getByText('The address asked for something')).toHaveCount(0);
  // The method as well: the linear probe, with its own learning rate from the recipe.
  await combo(second, 'Method').selectOption('linear');
  await expect.poll(() => new URL(second.url()).searchParams.get('method')).toBe('linear');
  const third = await context.newPage();
  watchPage(third, new URL(baseURL!).origin);
  await third.goto(second.url());
  await expect(combo(third, 'Method')).toHaveValue('linear');
  await expect(spin(third, 'Learning rate')).toHaveValue(await spin(second, 'Learning rate').inputValue());
  expect(seen.errors).toEqual([]);
});

test('a classroom link opens in a fresh browser with the hidden parts absent, the linked settings in effect, and trains', async ({ page, watch, browser, baseURL }) => {
  void watch;
  await openWasm(page);
  await loadDemo(page);
  await configureRun(page, { steps: 6, batchSize: 4, evalEvery: 3, evalImages: 16, learningRate: 0.02 });
  await page.getByRole('slider', { name: 'LoRA rank' }).fill('4');

  // The dialog, from the keyboard: open it, tick with Space, close with Escape.
  const open = page.getByRole('button', { name: 'Classroom link…' });
  await page.locator('body').focus();
  await tabTo(page, open);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Classroom link' });
  await expect(dialog).toBeVisible();
  const hideData = dialog.getByRole('checkbox', { name: 'Hide the section 1. Dataset' });
  await tabTo(page, hideData);
  await page.keyboard.press('Space');
  await expect(hideData).toBeChecked();
  for (const name of ['Hide the section 3. LoRA adapter', 'Hide the section 8. Experiment grid', 'Hide Method', 'Hide Learning rate', 'Hide the explanations ("What is this?")', 'Start training automatically']) {
    await dialog.getByRole('checkbox', { name, exact: true }).check();
  }
  // The section's own controls are hidden with it.
  await expect(dialog.getByRole('checkbox', { name: 'Hide LoRA rank' })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'Hide LoRA rank' })).toBeDisabled();
  await expect(dialog.getByRole('checkbox', { name: 'Load the demo dataset when the student has none' })).toBeChecked();
  const link = await dialog.getByRole('textbox', { name: 'Classroom link' }).inputValue();
  expect(new URL(link).searchParams.get('hide')).toBe('data,adapter,grid,method,baseLr');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // A student's browser: nothing stored, so the demo loads (the dataset section is hidden), then training starts.
  const student: BrowserContext = await browser.newContext({ baseURL, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const s = await student.newPage();
  const seen = watchPage(s, new URL(baseURL!).origin);
  await s.goto(link);
  await expect(s.getByRole('heading', { name: '2. Model and method' })).toBeVisible();
  for (const heading of ['1. Dataset', '3. LoRA adapter', '8. Experiment grid']) await expect(s.getByRole('heading', { name: heading })).toHaveCount(0);
  await expect(combo(s, 'Method')).toHaveCount(0);
  await expect(spin(s, 'Learning rate')).toHaveCount(0);
  await expect(s.getByRole('slider', { name: 'LoRA rank' })).toHaveCount(0);
  await expect(s.locator('summary')).toHaveCount(0);
  await expect(spin(s, 'Steps')).toHaveValue('6');
  await expect(s.getByRole('note').filter({ hasText: 'Not for medical use' })).toBeVisible();
  // It trains on its own, to the end, with the hidden settings too.
  await expect(s.getByRole('status').filter({ hasText: /Step 6 of 6 · finished/ })).toBeVisible({ timeout: 240_000 });
  const metrics = await downloadJson<MetricsLog>(s, 'Download metrics');
  expect(metrics.config).toMatchObject({ backend: 'wasm', method: 'lora', baseLr: 0.02, totalSteps: 6, batchSize: 4, evalEvery: 3, lora: { r: 4 } });
  expect(metrics.steps.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(metrics.notice).toMatch(/^Not for medical use: /);
  expect(seen.errors).toEqual([]);
  await student.close();
});

test('"Step" runs exactly one step, from a run not yet started and from a paused one, with the keyboard', async ({ page, watch }) => {
  void watch;
  await openWasm(page);
  await loadDemo(page);
  await configureRun(page, { steps: 10, batchSize: 4, evalEvery: 5, evalImages: 16 });
  const stepButton = page.getByRole('button', { name: 'Step', exact: true });
  await page.locator('body').focus();
  await tabTo(page, stepButton);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Step 1 of 10 · paused' })).toBeVisible();
  for (const k of [2, 3]) {
    await stepButton.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: `Step ${k} of 10 · paused` })).toBeVisible();
  }
  // Nothing more happens on its own.
  await page.waitForTimeout(1500);
  expect(await statusText(page, 'Step ')).toMatch(/^Step 3 of 10 · paused/);
  const stepped = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(stepped.steps.map((s) => s.step)).toEqual([1, 2, 3]);
  expect(stepped.events.filter((e) => e.kind === 'step').map((e) => e.step)).toEqual([0, 1, 2]);
  // Pause, Step, Resume: the paused run of someone who pressed Start.
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await waitForFinish(page);
  const all = await downloadJson<MetricsLog>(page, 'Download metrics');
  expect(all.steps.map((s) => s.step)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  expect(all.evaluations.filter((e) => e.split === 'val').map((e) => e.step)).toEqual([5, 10]);
});

test('a bad address is noted, not fatal; explanations follow the model and the sliders; "Not for medical use" stays in view', async ({ page, watch }) => {
  void watch;
  await openWasm(page, '/?backend=wasm&r=999&color=red&dataset=Nope&method=fft&batchSize=12');
  const notes = page.getByRole('status').filter({ hasText: 'The address asked for something' });
  await expect(notes).toContainText('Ignored "r=999" in the address: LoRA rank must be a whole number from 1 to 64.');
  await expect(notes).toContainText('Ignored "color" in the address: no setting has that name.');
  await expect(notes).toContainText('The dataset "Nope" named in the address is not stored in this browser');
  await expect(combo(page, 'Method')).toHaveValue('fft');
  await expect(spin(page, 'Batch size')).toHaveValue('12');
  await expect(page.getByRole('slider', { name: 'LoRA rank' })).toHaveAttribute('aria-valuenow', '8');
  const notice = page.getByRole('note').filter({ hasText: 'Not for medical use' });
  await expect(notice).toBeInViewport();
  await page.getByRole('heading', { name: '8. Experiment grid' }).scrollIntoViewIfNeeded();
  await expect(notice).toBeInViewport();
  await page.evaluate(() => window.scrollTo(0, 0));

  await loadDemo(page);
  await combo(page, 'Method').selectOption('lora');
  await configureRun(page, { steps: 10, batchSize: 4, evalEvery: 100, evalImages: 16 });
  // What a ViT sees: opened with the keyboard, drawn from the demo's first training image at 64 px.
  const modelHelp = page.locator('summary').filter({ hasText: 'Model and method' });
  await page.locator('body').focus();
  await tabTo(page, modelHelp);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('img', { name: /at 64 × 64 pixels, cut into 4 × 4 patches of 16 × 16 pixels/ })).toBeVisible();
  await expect(page.getByText('4 × 4 = 16 patches')).toBeVisible();

  // What LoRA changes, with the sliders' numbers.
  const loraHelp = page.locator('summary').filter({ hasText: 'LoRA adapter' });
  await loraHelp.focus();
  await page.keyboard.press('Enter');
  const body = page.locator('details').filter({ has: loraHelp });
  await expect(body).toContainText('32 / 8 = 4');
  await expect(body).toContainText('4 × 8 × (64 + 64) = 4,096');
  const rank = page.getByRole('slider', { name: 'LoRA rank' });
  await rank.focus();
  await page.keyboard.press('ArrowRight');
  await expect(body).toContainText('32 / 9 = 3.556');
  await expect(body).toContainText('4 × 9 × (64 + 64) = 4,608');
  // The running adapter's singular values. B starts at zero and the warm-up's first learning rate is 0, so after one
  // step they are all 0; after the second they are not. Then another matrix, chosen with the keyboard.
  const stepButton = page.getByRole('button', { name: 'Step', exact: true });
  await stepButton.click();
  await expect(page.getByRole('status').filter({ hasText: 'Step 1 of 10 · paused' })).toBeVisible();
  const table = body.getByRole('table');
  await expect(table.locator('caption')).toContainText('Singular values of B · A for blocks.0.attn.qkv.q (B 64 × 9, A 9 × 64) at step 1');
  await expect(table.locator('tbody tr')).toHaveCount(9);
  await expect(table.locator('tbody td:first-of-type').first()).toHaveText('0');
  await stepButton.click();
  await expect(table.locator('caption')).toContainText('at step 2');
  const matrix = body.getByRole('combobox', { name: 'Adapted matrix' });
  await matrix.focus();
  await page.keyboard.press('ArrowDown');
  await expect(table.locator('caption')).toContainText('blocks.0.attn.qkv.v (B 64 × 9, A 9 × 64) at step 2');
  const values = (await table.locator('tbody td:first-of-type').allTextContents()).map(Number);
  expect(values).toHaveLength(9);
  expect(values[0]).toBeGreaterThan(0);
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);

  // What AUROC means.
  const aurocHelp = page.locator('summary').filter({ hasText: 'AUROC' });
  await aurocHelp.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('details').filter({ has: aurocHelp })).toContainText('no better than tossing a coin');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitForFinish(page);
});
