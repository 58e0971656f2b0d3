// Measures sharing in Debian's Chromium: exporting the large demo (100,000 customers, ~1,000,000
// orders) as a Kehu data file, reading and checking that file in a fresh profile, replacing the
// data with it, and a CSV import of 10,000 customers. Prints each figure; asserts none.
//   npx playwright test --config bench.config.ts bench/share.bench.ts
import { test, expect } from '@playwright/test';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const figures: Record<string, unknown> = new Proxy({}, {
  set(target: Record<string, unknown>, key: string, value: unknown) {
    console.log(`figure ${key} = ${value}`);
    target[key] = value;
    return true;
  },
});

test('csv import of 10,000 customers', async ({ page }) => {
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));

  // CSV import of 10,000 customers (UTF-8, Chinese headers).
  await page.goto('/#/data');
  const lines = ['姓名,手机,邮箱,生日'];
  for (let i = 0; i < 10_000; i++) {
    lines.push(`客户${i},139${String(i).padStart(8, '0')},c${i}@example.cn,1990-01-${String(1 + (i % 28)).padStart(2, '0')}`);
  }
  let t0 = Date.now();
  await page.getByLabel('Choose a CSV file').setInputFiles({ name: 'many.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByText('10000 rows: 10000 valid, 0 with problems.')).toBeVisible({ timeout: 120_000 });
  figures.csv_10k_read_map_check_s = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await page.getByRole('button', { name: 'Import 10000 rows' }).click();
  await expect(page.getByText('Imported 10000 rows.')).toBeVisible({ timeout: 120_000 });
  figures.csv_10k_store_s = (Date.now() - t0) / 1000;
});

test('large demo exported and imported', async ({ page, browser }) => {
  test.setTimeout(2_400_000);
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  page.on('console', (m) => console.log(`console.${m.type()}: ${m.text()}`));
  await page.goto('/#/data');

  // The large demo, exported.
  await page.getByRole('radio', { name: /Large/ }).check();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 100000 customers/)).toBeVisible({ timeout: 900_000 });
  let t0 = Date.now();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 900_000 }),
    page.getByRole('button', { name: 'Export everything (JSON)' }).click(),
  ]);
  const file = await download.path();
  figures.large_export_s = (Date.now() - t0) / 1000;
  figures.large_export_mb = Math.round(statSync(file).size / 1e5) / 10;
  // The download completed (not cancelled): no failure, and the file ends the JSON object.
  figures.large_export_failure = await download.failure();
  expect(await download.failure()).toBeNull();
  const tail = Buffer.alloc(64);
  const fd = openSync(file, 'r');
  readSync(fd, tail, 0, 64, statSync(file).size - 64);
  closeSync(fd);
  expect(tail.toString('utf8').trimEnd().endsWith('}')).toBe(true);

  figures.export_marks = JSON.stringify(await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]))));

  // Imported into a fresh profile.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  other.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  await other.goto('/#/data');
  await other.getByRole('heading', { level: 1 }).waitFor();
  t0 = Date.now();
  await other.getByLabel('Choose a Kehu data file (.json)').setInputFiles(file);
  await expect(other.getByRole('heading', { name: 'The file is valid' }).or(other.getByRole('alert'))).toBeVisible({ timeout: 900_000 });
  figures.large_import_read_check_s = (Date.now() - t0) / 1000;
  const refused = await other.getByRole('alert').allTextContents();
  if (refused.length) console.log('REFUSED ' + refused.join(' | '));
  t0 = Date.now();
  await other.getByRole('button', { name: 'Replace my data…' }).click();
  await other.getByRole('button', { name: 'Replace everything' }).click();
  await expect(other.getByText('The data was replaced: 100000 customers.')).toBeVisible({ timeout: 900_000 });
  figures.large_import_replace_s = (Date.now() - t0) / 1000;
  figures.import_marks = JSON.stringify(await other.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]))));
  await fresh.close();

  // Merged into another fresh profile: every record is new.
  const empty = await browser.newContext();
  const merger = await empty.newPage();
  merger.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  await merger.goto('/#/data');
  await merger.getByRole('heading', { level: 1 }).waitFor();
  t0 = Date.now();
  await merger.getByLabel('Choose a Kehu data file (.json)').setInputFiles(file);
  await expect(merger.getByRole('heading', { name: 'The file is valid' })).toBeVisible({ timeout: 900_000 });
  figures.large_merge_read_check_s = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await merger.getByRole('button', { name: 'Merge into my data…' }).click();
  const write = merger.getByRole('button', { name: /^Merge \(\d+ records written\)$/ });
  await expect(write).toBeVisible({ timeout: 900_000 });
  figures.large_merge_preview_s = (Date.now() - t0) / 1000;
  t0 = Date.now();
  await write.click();
  await expect(merger.getByText(/^Merged: \d+ new, 0 updated\.$/)).toBeVisible({ timeout: 900_000 });
  figures.large_merge_store_s = (Date.now() - t0) / 1000;
  figures.merge_marks = JSON.stringify(await merger.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]))));
  await empty.close();
});
