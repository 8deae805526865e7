/**
 * Shared fixture for the lab's end-to-end tests: every test fails if the page logs a console error or
 * sends a request outside its own origin after loading (privacy: no image or metric leaves the machine).
 */
import { test as base, expect, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

export interface Watch {
  consoleErrors: string[];
  foreignRequests: string[];
}

export const test = base.extend<{ watch: Watch }>({
  watch: async ({ page, baseURL }, use) => {
    const origin = new URL(baseURL!).origin;
    const watch: Watch = { consoleErrors: [], foreignRequests: [] };
    page.on('console', (m) => {
      if (m.type() === 'error') watch.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => watch.consoleErrors.push(`pageerror: ${e.message}`));
    // Requests of the page and of its workers (context-level sees worker fetches too).
    page.context().on('request', (r) => {
      const url = r.url();
      if (url.startsWith('blob:') || url.startsWith('data:')) return;
      if (new URL(url).origin !== origin) watch.foreignRequests.push(url);
    });
    await use(watch);
    expect(watch.foreignRequests, 'requests that left the page origin').toEqual([]);
    expect(watch.consoleErrors, 'console errors').toEqual([]);
  },
});

export { expect };

export async function statusText(page: Page, prefix: string): Promise<string> {
  const s = page.getByRole('status').filter({ hasText: prefix }).first();
  await expect(s).toBeVisible();
  return (await s.textContent()) ?? '';
}

export async function loadDemo(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Load demo dataset' }).click();
  await expect(page.getByText(/Ingested \d+ images/)).toBeVisible({ timeout: 120_000 });
}

export interface RunSettings {
  method?: 'LoRA' | 'Full fine-tuning' | 'Linear probe';
  steps: number;
  batchSize?: number;
  evalEvery?: number;
  evalImages?: number;
  learningRate?: number;
  augment?: boolean;
}

export async function configureRun(page: Page, s: RunSettings): Promise<void> {
  if (s.method) await page.getByRole('combobox', { name: 'Method' }).selectOption({ label: s.method });
  await page.getByRole('spinbutton', { name: 'Steps', exact: true }).fill(String(s.steps));
  if (s.batchSize) await page.getByRole('spinbutton', { name: 'Batch size', exact: true }).fill(String(s.batchSize));
  if (s.evalEvery) await page.getByRole('spinbutton', { name: 'Evaluate every', exact: true }).fill(String(s.evalEvery));
  if (s.evalImages) await page.getByRole('spinbutton', { name: 'Validation images per evaluation', exact: true }).fill(String(s.evalImages));
  if (s.learningRate !== undefined) await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill(String(s.learningRate));
  if (s.augment !== undefined) await page.getByRole('checkbox', { name: /Augment/ }).setChecked(s.augment);
}

/** Waits until the "Step k of n" status shows k >= step. */
export async function waitForStep(page: Page, step: number, timeout = 200_000): Promise<number> {
  let current = 0;
  await expect
    .poll(
      async () => {
        const text = await statusText(page, 'Step ');
        current = Number(/Step (\d+)/.exec(text)?.[1] ?? 0);
        return current;
      },
      { timeout, intervals: [250, 500, 1000] },
    )
    .toBeGreaterThanOrEqual(step);
  return current;
}

export async function waitForFinish(page: Page, timeout = 200_000): Promise<void> {
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled({ timeout });
}

export async function downloadJson<T>(page: Page, buttonName: string): Promise<T> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: buttonName, exact: true }).click()]);
  const path = await download.path();
  return JSON.parse(await readFile(path!, 'utf8')) as T;
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** What whenStepShown does inside the page: reload it, or inject a fault through the `?fault-hooks` hooks. */
export type StepAction = { reload: true } | { fault: 'device-lost' | 'worker-crash' | 'storage-full'; bytes?: number | null };

/**
 * Acts inside the page the moment its status shows step `step` or later. A test polling the status lags a fast WASM
 * run by dozens of steps, so a reload or a fault "after step k" must be triggered in the page itself. Resolves once
 * the action is done (for a reload: once the new page has loaded).
 */
export async function whenStepShown(page: Page, step: number, action: StepAction): Promise<void> {
  const loaded = 'reload' in action ? page.waitForEvent('load', { timeout: 300_000 }) : undefined;
  const acted = page.evaluate(
    ([at, act]) =>
      new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => check());
        function check() {
          const shown = [...document.querySelectorAll('[role="status"]')].map((e) => /Step (\d+) of/.exec(e.textContent ?? '')).find(Boolean);
          if (!shown || Number(shown[1]) < at) return;
          observer.disconnect();
          if ('reload' in act) location.reload();
          else {
            const hooks = (window as unknown as { cxrLabFaults: { inject(kind: string, bytes?: number | null): Promise<boolean> } }).cxrLabFaults;
            // A crashed worker may never answer: the fault is injected either way.
            void hooks.inject(act.fault, act.bytes).then(() => resolve(), () => resolve());
          }
        }
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        check();
      }),
    [step, action] as const,
  );
  if (loaded) {
    // The page that ran the observer is gone after the reload, so its promise never settles: wait for the new page.
    acted.catch(() => undefined);
    await loaded;
  } else await acted;
}
