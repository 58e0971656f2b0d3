import { test, expect, openApp, addCustomer } from './fixtures';

test('load the small demo, then loading again asks before replacing', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Mine Only' });
  await page.getByRole('link', { name: 'Data' }).click();
  await page.getByRole('radio', { name: /Small shop/ }).check();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  // There is data already: nothing happens until the user confirms.
  await expect(page.getByRole('alertdialog')).toContainText('Replace your data?');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await page.getByRole('button', { name: 'Replace my data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });

  const counts = page.locator('dl.counts');
  await expect(counts.getByText('Customers')).toBeVisible();
  const orders = Number(await counts.locator('div', { hasText: 'Orders' }).locator('dd').textContent());
  expect(orders).toBeGreaterThan(1000);
  for (const kind of ['Interactions', 'Deals', 'Tasks', 'Survey responses', 'Points ledger entries']) {
    const n = Number(await counts.locator('div', { hasText: kind }).locator('dd').textContent());
    expect(n, kind).toBeGreaterThan(0);
  }

  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('combobox', { name: 'Archived state' }).selectOption('all');
  await expect(page.getByText('Showing 200 of 200 customers')).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Mine Only' })).toHaveCount(0);
  // Only the rows in view are in the page.
  const rendered = await page.getByRole('rowgroup').last().getByRole('row').count();
  expect(rendered).toBeLessThan(60);

  await page.reload();
  await page.getByRole('link', { name: 'Data' }).click();
  await expect(page.locator('dl.counts div', { hasText: 'Orders' }).locator('dd')).toHaveText(String(orders));
});

test('the same seed gives the same demo customers', async ({ page }) => {
  await openApp(page, '#/data');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded/)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Customers' }).click();
  const first = await page.locator('[role=row][aria-rowindex="2"]').textContent();
  await page.getByRole('link', { name: 'Data' }).click();
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await page.getByRole('button', { name: 'Replace my data' }).click();
  await expect(page.getByText(/Demo data loaded/).last()).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Customers' }).click();
  expect(await page.locator('[role=row][aria-rowindex="2"]').textContent()).toBe(first);
});
