/** What `npm start` opens (/?demo): the built-in demo is loaded on the first visit without a click. */
import { expect, test } from './lab';

test('/?demo ingests the bundled demo on first visit, and only then', async ({ page, watch }) => {
  void watch;
  await page.goto('/?demo');
  await expect(page.getByText(/Ingested 500 images/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('Kermany');
  await expect(page.getByRole('button', { name: 'Start training' })).toBeEnabled();
  // A second visit finds the dataset stored and does not ingest again.
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Stored dataset' })).toContainText('Kermany');
  await expect(page.getByRole('progressbar', { name: 'Ingest progress' })).toHaveCount(0);
  await expect(page.getByText(/Ingested \d+ images/)).toHaveCount(0);
});
