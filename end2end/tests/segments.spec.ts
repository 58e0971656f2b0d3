import { readFileSync } from 'fs';
import { test, expect, openApp } from './fixtures';
import type { Page, Locator } from '@playwright/test';

async function loadDemo(page: Page) {
  await openApp(page);
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
}

/// The number in the summary line "N customers match · total spend …".
async function matchCount(page: Page): Promise<number> {
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toContainText('customers match');
  const text = await summary.innerText();
  return Number(/^(\d+) customers match/.exec(text)?.[1] ?? NaN);
}

/// The customers' names in the results table (the current page).
async function names(results: Locator): Promise<string[]> {
  return results.locator('tbody tr th').allInnerTexts();
}

test('a filter shows its customers; a saved segment survives a reload with the same customers', async ({ page }) => {
  await loadDemo(page);
  // What the RFM page counts as champions, archived customers included.
  await page.goto('/#/analytics/rfm');
  const segTable = page.getByRole('table', { name: 'Customers and revenue per RFM segment' });
  const champions = Number(await segTable.getByRole('row', { name: /^Champions/ }).locator('td').first().innerText());
  expect(champions).toBeGreaterThan(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Segments' }).click();
  await expect(page).toHaveURL(/#\/segments$/);
  await expect(page.getByRole('heading', { name: 'Segment explorer', level: 1 })).toBeVisible();
  const all = await matchCount(page);
  expect(all).toBeGreaterThan(150);

  const rfm = page.getByRole('group', { name: 'RFM segment' });
  await rfm.getByRole('checkbox', { name: 'Champions' }).check();
  await page.getByRole('checkbox', { name: 'Include archived customers' }).check();
  await expect.poll(() => matchCount(page)).toBe(champions);
  const results = page.getByRole('table', { name: 'Matching customers' });
  await expect(results.locator('tbody tr')).toHaveCount(Math.min(champions, 50));
  // Every row is a champion, linked to the customer's 360 page.
  const segCol = await results.locator('tbody tr td:nth-child(5)').allInnerTexts();
  expect(new Set(segCol)).toEqual(new Set(['Champions']));
  await expect(results.locator('tbody tr').first().getByRole('link')).toHaveAttribute('href', /^#\/customers\/[0-9a-f-]{36}$/);

  // A second choice in the same part widens (OR); a spend floor narrows (AND).
  await rfm.getByRole('checkbox', { name: 'Loyal customers' }).check();
  const either = await matchCount(page);
  expect(either).toBeGreaterThan(champions);
  await page.getByRole('textbox', { name: 'At least' }).fill('1000');
  await page.getByRole('textbox', { name: 'At least' }).press('Enter');
  await expect.poll(() => matchCount(page)).toBeLessThan(either);
  const spends = await results.locator('tbody tr td.num').allInnerTexts();
  for (const s of spends) expect(Number(s.replace(/[^0-9.]/g, ''))).toBeGreaterThanOrEqual(1000);
  // A bad amount is named, and the last good filter stays.
  const kept = await matchCount(page);
  await page.getByRole('textbox', { name: 'At most' }).fill('lots');
  await page.getByRole('textbox', { name: 'At most' }).press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: '“lots” is not an amount' })).toBeVisible();
  expect(await matchCount(page)).toBe(kept);
  await page.getByRole('textbox', { name: 'At most' }).fill('');
  await page.getByRole('textbox', { name: 'At most' }).press('Enter');

  const before = await names(results);
  expect(before.length).toBe(Math.min(kept, 50));
  await page.getByRole('textbox', { name: 'Segment name' }).fill('Big spenders 大客户');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await expect(page.getByText('Segment “Big spenders 大客户” saved.')).toBeVisible();
  // The same name again is refused.
  await page.getByRole('textbox', { name: 'Segment name' }).fill('big spenders 大客户');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await expect(page.getByText('A segment named “Big spenders 大客户” already exists.')).toBeVisible();

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Segment explorer', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Open segment Big spenders 大客户' }).click();
  await expect.poll(() => matchCount(page)).toBe(kept);
  await expect(rfm.getByRole('checkbox', { name: 'Champions' })).toBeChecked();
  await expect(page.getByRole('textbox', { name: 'At least' })).toHaveValue('1000.00');
  expect(await names(results)).toEqual(before);

  // Rename, then delete and undo.
  await page.getByRole('button', { name: 'Rename Big spenders 大客户' }).click();
  await page.getByRole('textbox', { name: 'New name for Big spenders 大客户' }).fill('VIP buyers');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByText('Segment renamed to “VIP buyers”.')).toBeVisible();
  await page.getByRole('button', { name: 'Delete VIP buyers' }).click();
  await expect(page.getByRole('button', { name: 'Open segment VIP buyers' })).toHaveCount(0);
  await page.locator('.toast').filter({ hasText: 'Segment “VIP buyers” deleted.' }).getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('button', { name: 'Open segment VIP buyers' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Open segment VIP buyers' })).toBeVisible();
});

test('bulk tag with Undo, follow-up tasks, and the segment as CSV', async ({ page }) => {
  await loadDemo(page);
  await page.goto('/#/segments');
  await expect(page.getByRole('heading', { name: 'Segment explorer', level: 1 })).toBeVisible();
  await page.getByRole('group', { name: 'ABC class' }).getByRole('checkbox', { name: 'A', exact: true }).check();
  const count = await matchCount(page);
  expect(count).toBeGreaterThan(0);
  const results = page.getByRole('table', { name: 'Matching customers' });
  const shown = await names(results);
  const tags = page.getByRole('group', { name: 'Tags' });
  await expect(tags.getByRole('checkbox', { name: 'spring-promo' })).toHaveCount(0);

  await page.getByRole('textbox', { name: 'Tag to add' }).fill('spring-promo');
  await page.getByRole('button', { name: `Add tag to ${count} customers` }).click();
  const toast = page.locator('.toast').filter({ hasText: `Tag “spring-promo” added to ${count} customers.` });
  await expect(toast).toBeVisible();
  // The new tag is now a choice, and choosing it together with class A keeps the same customers.
  await tags.getByRole('checkbox', { name: 'spring-promo' }).check();
  await expect.poll(() => matchCount(page)).toBe(count);
  await tags.getByRole('checkbox', { name: 'spring-promo' }).uncheck();
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('The tag was removed again.')).toBeVisible();
  await expect(tags.getByRole('checkbox', { name: 'spring-promo' })).toHaveCount(0);

  // A follow-up task for each, then Undo removes them all.
  await page.getByRole('textbox', { name: 'Task title' }).fill('Call about the spring offer');
  await page.getByRole('button', { name: `Create a task for each of ${count} customers` }).click();
  const taskToast = page.locator('.toast').filter({ hasText: `${count} follow-up tasks created.` });
  await expect(taskToast).toBeVisible();
  await taskToast.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('The tasks were removed again.')).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^kehu-segment-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = readFileSync(await download.path());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trimEnd().split('\n');
  expect(lines[0]).toBe('Customer,Customer id,R score,F score,M score,Segment,ABC,Stage,Tier,Spend,Last purchase,Tags');
  expect(lines.length).toBe(count + 1);
  const csvNames = lines.slice(1).map((l) => l.split(',')[0].replace(/^"|"$/g, ''));
  expect(csvNames.slice(0, shown.length)).toEqual(shown);
  for (const l of lines.slice(1)) expect(l).toContain(',A,');
});

test('saved segments travel in a data file: merged on another device, a clashing name numbered, a bad one refused', async ({ page, browser }) => {
  await loadDemo(page);
  await page.goto('/#/segments');
  await page.getByRole('group', { name: 'ABC class' }).getByRole('checkbox', { name: 'A', exact: true }).check();
  const classA = await matchCount(page);
  await page.getByRole('textbox', { name: 'Segment name' }).fill('Top customers');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await expect(page.getByText('Segment “Top customers” saved.')).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export everything (JSON)' }).click(),
  ]);
  const text = readFileSync(await download.path(), 'utf8');

  // Another device already has a segment of that name (another id, another filter).
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await openApp(page2, '#/segments');
  await expect(page2.getByRole('heading', { name: 'Segment explorer', level: 1 })).toBeVisible();
  await page2.getByRole('textbox', { name: 'Segment name' }).fill('top customers');
  await page2.getByRole('button', { name: 'Save segment' }).click();
  await expect(page2.getByText('Segment “top customers” saved.')).toBeVisible();

  const choose = async (name: string, body: string) =>
    page2.getByLabel('Choose a Kehu data file (.json)').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body, 'utf8') });
  await page2.goto('/#/data');
  // A file whose segment has a backwards spend range is refused, naming where.
  const bad = JSON.parse(text);
  Object.assign(bad.settings.segments[0].filter, { spend_min: 50000, spend_max: 100 });
  await choose('bad-segment.json', JSON.stringify(bad));
  const alert = page2.getByRole('alert');
  await expect(alert).toContainText('settings.segments[0].filter');
  await expect(alert).toContainText('The least spend (');
  await expect(alert).toContainText('Nothing was imported; your data is unchanged.');

  await choose('shop.json', text);
  await page2.getByRole('button', { name: 'Merge into my data…' }).click();
  const preview = page2.getByRole('region', { name: 'Merge preview' });
  await expect(preview.getByRole('row', { name: /^Saved segments/ }).getByRole('cell')).toHaveText(['1', '0', '0', '0', '0']);
  await preview.getByRole('button', { name: /^Merge \(\d+ records written\)$/ }).click();
  await expect(page2.getByText(/^Merged: \d+ new, 0 updated\.$/)).toBeVisible({ timeout: 30_000 });

  await page2.goto('/#/segments');
  await expect(page2.getByRole('button', { name: 'Open segment top customers', exact: true })).toBeVisible();
  await page2.getByRole('button', { name: 'Open segment Top customers (2)' }).click();
  await expect(page2.getByRole('group', { name: 'ABC class' }).getByRole('checkbox', { name: 'A', exact: true })).toBeChecked();
  await expect.poll(() => matchCount(page2)).toBe(classA);
  // Stored, not only shown.
  await page2.reload();
  await expect(page2.getByRole('button', { name: 'Open segment Top customers (2)' })).toBeVisible();
  await other.close();
});
