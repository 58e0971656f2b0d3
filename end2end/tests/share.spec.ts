import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page } from '@playwright/test';

const fixtures = path.join(__dirname, '..', 'fixtures');

async function count(page: Page, kind: string): Promise<number> {
  return Number(await page.locator('dl.counts div', { hasText: kind }).locator('dd').textContent());
}

/// Clicks an export button and returns the downloaded file's text.
async function download(page: Page, button: string | RegExp): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  const p = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(p, 'utf8') };
}

async function chooseDataFile(page: Page, name: string, text: string) {
  await page.getByLabel('Choose a Kehu data file (.json)').setInputFiles({
    name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8'),
  });
}

test('export everything, import into a fresh profile: the same data', async ({ page, browser }) => {
  await openApp(page, '#/data');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('last-export')).toHaveText('No full export has been made on this device yet.');
  const first = await download(page, 'Export everything (JSON)');
  expect(first.name).toMatch(/^kehu-\d{4}-\d\d-\d\d\.json$/);
  await expect(page.getByTestId('last-export')).toContainText('Last full export:');
  const orders = await count(page, 'Orders');

  // A fresh profile: its own IndexedDB, empty.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await openApp(other, '#/data');
  expect(await count(other, 'Customers')).toBe(0);
  await chooseDataFile(other, first.name, first.text);
  await expect(other.getByRole('heading', { name: 'The file is valid' })).toBeVisible();
  await other.getByRole('button', { name: 'Replace my data…' }).click();
  await expect(other.getByRole('alertdialog')).toContainText('Replace all data on this device?');
  await other.getByRole('button', { name: 'Replace everything' }).click();
  await expect(other.getByText('The data was replaced: 200 customers.')).toBeVisible();
  expect(await count(other, 'Orders')).toBe(orders);
  // It survives a reload, and exporting it again gives the same records.
  await other.reload();
  await expect(other.locator('dl.counts div', { hasText: 'Orders' }).locator('dd')).toHaveText(String(orders));
  const second = await download(other, 'Export everything (JSON)');
  const a = JSON.parse(first.text);
  const b = JSON.parse(second.text);
  delete a.exported_at;
  delete b.exported_at;
  const byId = (l: { id: string }[]) => [...l].sort((x, y) => x.id.localeCompare(y.id));
  for (const key of ['customers', 'orders', 'interactions', 'deals', 'tasks', 'surveys']) {
    a[key] = byId(a[key]);
    b[key] = byId(b[key]);
  }
  a.loyalty.ledger = byId(a.loyalty.ledger);
  b.loyalty.ledger = byId(b.loyalty.ledger);
  expect(b).toEqual(a);
  await fresh.close();
});

test('a rejected file names each problem and changes nothing', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Keep Me', phone: '13800138000' });
  await page.getByRole('link', { name: 'Data' }).click();
  const good = (await download(page, 'Export everything (JSON)')).text;
  const bad = JSON.parse(good);
  const id = randomUUID();
  bad.customers.push({ ...bad.customers[0], id, name: 'Intruder', email: 'not-an-email' });
  bad.surveys.push({
    id: randomUUID(), customer_id: id, date: '2026-01-01', nps: 11,
    scores: { reliability: 5, professionalism: 5, tangibles: 5, empathy: 5, responsiveness: 5 },
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  });
  await chooseDataFile(page, 'bad.json', JSON.stringify(bad));
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('bad.json was not imported');
  await expect(alert).toContainText('customers[1].email');
  await expect(alert).toContainText('surveys[0].nps: 11 is outside 0–10');
  await expect(alert).toContainText('Nothing was imported; your data is unchanged.');
  expect(await count(page, 'Customers')).toBe(1);

  // Not JSON, and a newer version, are refused too.
  await chooseDataFile(page, 'notes.json', 'hello');
  await expect(page.getByRole('alert')).toContainText('This is not JSON (line 1, column 1).');
  await chooseDataFile(page, 'future.json', JSON.stringify({ ...JSON.parse(good), version: 99 }));
  await expect(page.getByRole('alert')).toContainText('The file is version 99, newer than this version of Kehu reads (1).');

  await page.reload();
  expect(await count(page, 'Customers')).toBe(1);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Keep Me' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Intruder' })).toHaveCount(0);
});

test('merge shows new, updated, unchanged and conflicting records before writing', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Alice', phone: '13800000001' });
  await addCustomer(page, { name: 'Bob', phone: '13800000002' });
  await addCustomer(page, { name: 'Carol', phone: '13800000003' });
  await page.getByRole('link', { name: 'Data' }).click();
  const file = JSON.parse((await download(page, 'Export everything (JSON)')).text);
  const named = (n: string) => file.customers.find((c: { name: string }) => c.name === n);
  // Bob was changed later on the other device: the file wins.
  named('Bob').notes = 'moved to Shanghai';
  named('Bob').updated_at = '2099-01-01T00:00:00Z';
  // Alice was changed on the other device before the change here: a conflict, this copy is kept.
  named('Alice').company = 'Old Company';
  named('Alice').updated_at = '2000-01-01T00:00:00Z';
  // Dan is new; "Carol Wu" was entered on the other device (another id) with Carol's phone: the
  // same customer, changed later there → updated.
  file.customers.push({ ...named('Carol'), id: randomUUID(), name: 'Dan', phone: '13800000004' });
  Object.assign(named('Carol'), { id: randomUUID(), name: 'Carol Wu', phone: '+86 138 0000 0003', updated_at: '2099-01-01T00:00:00Z' });
  await chooseDataFile(page, 'other-phone.json', JSON.stringify(file));
  await page.getByRole('button', { name: 'Merge into my data…' }).click();
  const preview = page.getByRole('region', { name: 'Merge preview' });
  const row = preview.getByRole('row', { name: /^Customers/ });
  await expect(row.getByRole('cell')).toHaveText(['1', '2', '0', '1', '0']);
  await expect(preview.getByRole('listitem').filter({ hasText: 'Alice' })).toContainText('company differ');
  // Nothing has been written yet.
  expect(await count(page, 'Customers')).toBe(3);
  await preview.getByRole('button', { name: 'Merge (3 records written)' }).click();
  await expect(page.getByText('Merged: 1 new, 2 updated.')).toBeVisible();
  expect(await count(page, 'Customers')).toBe(4);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Carol Wu' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Dan' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Old Company' })).toHaveCount(0);
});

test('markup in a name is shown as text and runs nothing', async ({ page }) => {
  await openApp(page, '#/data');
  const file = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'core', 'tests', 'data', 'datafile_v1.json'), 'utf8'));
  file.customers[0].name = '<img src=x onerror="window.__kehuPwned=1">';
  await chooseDataFile(page, 'markup.json', JSON.stringify(file));
  await page.getByRole('button', { name: 'Replace my data…' }).click();
  await page.getByRole('button', { name: 'Replace everything' }).click();
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByText('<img src=x onerror="window.__kehuPwned=1">')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __kehuPwned?: number }).__kehuPwned)).toBeUndefined();
  expect(await page.locator('main img').count()).toBe(0);
});

test('a GBK CSV with Chinese headers: mapping guessed, row problems listed, valid rows imported only when asked', async ({ page }) => {
  await openApp(page, '#/data');
  await page.getByLabel('Choose a CSV file').setInputFiles(path.join(fixtures, 'customers_gbk.csv'));
  await expect(page.getByText('customers_gbk.csv: 3 rows, encoding GBK/GB18030, separator ,')).toBeVisible();
  await expect(page.getByRole('combobox', { name: '姓名' })).toHaveValue('name');
  await expect(page.getByRole('combobox', { name: '手机' })).toHaveValue('phone');
  await expect(page.getByRole('combobox', { name: '生日' })).toHaveValue('birthday');
  await expect(page.getByRole('table').getByRole('cell', { name: '张伟' })).toBeVisible();
  await expect(page.getByText('3 rows: 2 valid, 1 with problems.')).toBeVisible();
  const problems = page.getByRole('alert');
  await expect(problems).toContainText('Line 4, column “手机”: "12" is not a phone number');
  // No button imports every row while some have problems.
  await expect(page.getByRole('button', { name: /^Import \d+ rows$/ })).toHaveCount(0);
  expect(await count(page, 'Customers')).toBe(0);
  await page.getByRole('button', { name: 'Import only the 2 valid rows' }).click();
  await expect(page.getByText('Imported 2 rows.')).toBeVisible();
  expect(await count(page, 'Customers')).toBe(2);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: '张伟' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '李娜' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '王磊' })).toHaveCount(0);
});

test('orders CSV with ambiguous dates asks for the order; exported CSV has a BOM', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Ann', phone: '13900000001' });
  await page.getByRole('link', { name: 'Data' }).click();
  await page.getByRole('radio', { name: 'Orders', exact: true }).check();
  const csv = 'phone;date;amount\n13900000001;03/04/2026;12.50\n13900000001;05/06/2026;"1,000"\n';
  await page.getByLabel('Choose a CSV file').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText(/could be day\/month or month\/day/)).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import/ })).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Order of day and month in the dates' }).selectOption('day');
  await expect(page.getByText('2 rows: 2 valid, 0 with problems.')).toBeVisible();
  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  await expect(page.getByText('Imported 2 rows.')).toBeVisible();
  expect(await count(page, 'Orders')).toBe(2);
  const out = await download(page, 'Orders as CSV');
  expect(out.text.charCodeAt(0)).toBe(0xfeff);
  expect(out.text).toContain('2026-04-03 00:00:00');
  expect(out.text).toContain('1000.00');
});

test('duplicates: merge two customers, then undo', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Wang Fang', phone: '+86 138 0013 8000' });
  await addCustomer(page, { name: '王芳', phone: '13800138000', email: 'wang@example.cn' });
  await addCustomer(page, { name: 'Someone Else' });
  await page.getByRole('link', { name: 'Data' }).click();
  await page.getByRole('button', { name: 'Find duplicates' }).click();
  await expect(page.getByText('1 possible duplicates')).toBeVisible();
  await page.getByRole('button', { name: 'Compare and merge Wang Fang / 王芳' }).click();
  const form = page.getByRole('region', { name: 'Merge Wang Fang and 王芳' });
  // The empty e-mail is filled from the other by default; the name is chosen by hand.
  await expect(form.getByRole('group', { name: 'E-mail' }).getByRole('radio', { name: 'wang@example.cn' })).toBeChecked();
  await form.getByRole('group', { name: 'Name' }).getByRole('radio', { name: '王芳' }).check();
  await form.getByRole('button', { name: 'Merge into one customer' }).click();
  await expect(page.getByText('Merged into 王芳.')).toBeVisible();
  expect(await count(page, 'Customers')).toBe(2);
  await expect(page.getByText('No likely duplicates were found.')).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('The merge was undone.')).toBeVisible();
  expect(await count(page, 'Customers')).toBe(3);
  await page.reload();
  expect(await count(page, 'Customers')).toBe(3);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Wang Fang' })).toBeVisible();
});
