// Sharing, continued: every rejection class of a data file (message shown, nothing written), the
// app-wide export reminder, customers CSV with analytics columns, and points for CSV orders.
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, ftruncateSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page } from '@playwright/test';

async function count(page: Page, kind: string): Promise<number> {
  return Number(await page.locator('dl.counts div', { hasText: kind }).locator('dd').textContent());
}

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

async function loadSmallDemo(page: Page) {
  await openApp(page, '#/data');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
}

test('each kind of bad data file is refused with its message and nothing is written', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Keep Me', phone: '13800138000' });
  await page.getByRole('link', { name: 'Data' }).click();
  const good = JSON.parse((await download(page, 'Export everything (JSON)')).text);
  const copy = () => JSON.parse(JSON.stringify(good));
  const order = (customerId: string, amount: number) => ({
    id: randomUUID(), customer_id: customerId, date: '2026-03-04T10:00:00', amount, category: '', quantity: 1,
    note: '', points_redeemed: 0, created_at: '2026-03-04T02:00:00Z', updated_at: '2026-03-04T02:00:00Z',
  });
  const me = good.customers[0].id;
  const cases: [string, string, string][] = [];
  cases.push(['not JSON', '{"format": "kehu-crm",', 'This is not JSON (line 1']);
  cases.push(['wrong format', JSON.stringify({ ...copy(), format: 'other-crm' }), 'This is not a Kehu data file']);
  cases.push(['newer version', JSON.stringify({ ...copy(), version: 7 }), 'The file is version 7, newer than this version of Kehu reads (1).']);
  let f = copy(); f.customers[0].kind = 42;
  cases.push(['wrong type', JSON.stringify(f), 'customers[0].kind: wrong type or value']);
  f = copy(); delete f.customers[0].name;
  cases.push(['missing field', JSON.stringify(f), 'customers[0].name: a required field is missing']);
  f = copy(); f.customers.push({ ...f.customers[0], name: 'Twin', phone: '' });
  cases.push(['duplicate id', JSON.stringify(f), `customers[1].id: id ${me} is used twice (first at customers[0].id)`]);
  f = copy(); const ghost = randomUUID(); f.orders.push(order(ghost, 100));
  cases.push(['dangling reference', JSON.stringify(f), `orders[0].customer_id: refers to ${ghost}, which is not in the file`]);
  f = copy(); f.orders.push({ ...order(me, 100), date: '2026-02-30T10:00:00' });
  cases.push(['invalid date', JSON.stringify(f), 'orders[0].date: not a valid date or time']);
  f = copy(); f.surveys.push({
    id: randomUUID(), customer_id: me, date: '2026-01-01', nps: 11,
    scores: { reliability: 5, professionalism: 5, tangibles: 5, empathy: 5, responsiveness: 5 },
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  });
  cases.push(['NPS out of range', JSON.stringify(f), 'surveys[0].nps: 11 is outside 0–10']);
  f = copy(); f.orders.push({ ...order(me, 100), points_redeemed: -5 });
  cases.push(['negative value', JSON.stringify(f), 'orders[0].points_redeemed: -5 is negative; only an order\'s amount (a refund) may be negative']);
  const text = JSON.stringify(copy());
  cases.push(['non-finite number', text.replace(/"points_per_unit":[0-9.]+/, '"points_per_unit":NaN'), 'a number that is not finite (NaN or infinity)']);
  cases.push(['number too large', text.replace(/"points_per_unit":[0-9.]+/, '"points_per_unit":1e999'), 'loyalty.programme.points_per_unit: a number too large to handle']);
  for (const [what, body, message] of cases) {
    await chooseDataFile(page, `${what}.json`, body);
    const alert = page.getByRole('alert');
    await expect(alert, what).toContainText(`${what}.json was not imported`);
    await expect(alert, what).toContainText(message);
    await expect(alert, what).toContainText('Nothing was imported; your data is unchanged.');
    expect(await count(page, 'Customers'), what).toBe(1);
    expect(await count(page, 'Orders'), what).toBe(0);
  }

  // A file larger than Kehu imports (768 MB) is refused before it is read: a sparse file here.
  const dir = mkdtempSync(path.join(tmpdir(), 'kehu-'));
  const huge = path.join(dir, 'huge.json');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 800 * 1024 * 1024);
  closeSync(fd);
  await page.getByLabel('Choose a Kehu data file (.json)').setInputFiles(huge);
  await expect(page.getByRole('alert')).toContainText('The file is 800.0 MB, more than the 768 MB Kehu can import at once.');

  // Nothing was written: the stored data is what it was.
  await page.reload();
  expect(await count(page, 'Customers')).toBe(1);
  expect(await count(page, 'Orders')).toBe(0);
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Keep Me' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Twin' })).toHaveCount(0);
});

test('the export reminder shows on every page, in both languages, leads to the export and goes away with it', async ({ page }) => {
  await loadSmallDemo(page);
  // The demo's records changed weeks ago and were never exported.
  await page.getByRole('link', { name: 'Customers' }).click();
  const banner = page.getByRole('region', { name: /more than a week old/ });
  await expect(banner).toBeVisible();
  await page.getByRole('link', { name: 'Sales' }).first().click();
  await expect(banner).toBeVisible();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  const zh = page.getByRole('region', { name: /有超过一周的修改还没有导出/ });
  await expect(zh).toBeVisible();
  await expect(zh.getByRole('link', { name: '前往导出' })).toBeVisible();
  await expect(zh.getByRole('button', { name: '一周后再提醒' })).toBeVisible();
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');

  await banner.getByRole('link', { name: 'Go to export' }).click();
  await expect(page).toHaveURL(/#\/data$/);
  await expect(page.getByRole('heading', { name: 'Export' })).toBeFocused();
  // The data page says it in its export section; the banner is not repeated there.
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'more than a week old' })).toBeVisible();
  await download(page, 'Export everything (JSON)');
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await expect(banner).toHaveCount(0);
});

test('the export reminder follows the stored last-export date and can be dismissed for a week', async ({ page }) => {
  // An export an hour ago covers every change of the demo (all older than that).
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('kehu-test-set')) {
      sessionStorage.setItem('kehu-test-set', '1');
      localStorage.setItem('kehu.share.last_full_export', JSON.stringify(new Date(Date.now() - 3600_000).toISOString()));
    }
  });
  await loadSmallDemo(page);
  await expect(page.getByTestId('last-export')).toContainText('Last full export:');
  await page.getByRole('link', { name: 'Customers' }).click();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  const banner = page.getByRole('region', { name: /more than a week old/ });
  await expect(banner).toHaveCount(0);

  // An export 30 days ago does not: the demo has changes between then and a week ago.
  await page.evaluate(() => localStorage.setItem('kehu.share.last_full_export',
    JSON.stringify(new Date(Date.now() - 30 * 86400_000).toISOString())));
  await page.reload();
  await expect(banner).toBeVisible();
  await banner.getByRole('button', { name: 'Remind me in a week' }).click();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await expect(banner).toHaveCount(0);
  // A week later it is back.
  await page.evaluate(() => localStorage.setItem('kehu.share.reminder_dismissed',
    JSON.stringify(new Date(Date.now() - 8 * 86400_000).toISOString())));
  await page.reload();
  await expect(banner).toBeVisible();
});

test('customers CSV carries the analytics columns, headers in the UI language, with a BOM', async ({ page }) => {
  await loadSmallDemo(page);
  const en = await download(page, 'Customers as CSV');
  expect(en.text.charCodeAt(0)).toBe(0xfeff);
  const lines = en.text.slice(1).split(/\r?\n/);
  expect(lines[0]).toMatch(/,R score,F score,M score,RFM segment,ABC class,value matrix cell,lifecycle stage,churn warning,loyalty score,tier,points balance$/);
  const rows = lines.slice(1).filter((l) => l.length > 0);
  expect(rows.length).toBe(200);
  // Buyers have their scores and segment; the tier and balance are there for everyone.
  expect(rows.some((r) => /,[1-5],[1-5],[1-5],(champions|loyal_customers|potential_loyalists|new_customers|promising|need_attention|about_to_sleep|at_risk|cant_lose_them|hibernating),[ABC],(best|spenders|frequent|uncertain),/.test(r))).toBe(true);
  expect(rows.every((r) => /,-?\d+$/.test(r))).toBe(true);

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  const zh = await download(page, '客户导出为 CSV');
  expect(zh.text.charCodeAt(0)).toBe(0xfeff);
  expect(zh.text.slice(1).split(/\r?\n/)[0]).toMatch(/,R分,F分,M分,RFM细分,ABC分类,价值矩阵象限,生命周期阶段,流失预警,忠诚度得分,会员等级,积分余额$/);
});

test('orders imported from CSV earn their points like sales, said in the preview, stored with the orders', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Ann', phone: '13900000001' });
  await page.getByRole('link', { name: 'Data' }).click();
  expect(await count(page, 'Points ledger entries')).toBe(0);
  await page.getByRole('radio', { name: 'Orders', exact: true }).check();
  const csv = 'phone,date,amount\n13900000001,2026-03-04,120.00\n13900000001,2026-04-05,80.50\n';
  await page.getByLabel('Choose a CSV file').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText('2 rows: 2 valid, 0 with problems.')).toBeVisible();
  await expect(page.getByText(/earn their points as if recorded one by one.*2 points entries, 200 points in all/)).toBeVisible();
  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  await expect(page.getByText('Imported 2 rows.')).toBeVisible();
  expect(await count(page, 'Orders')).toBe(2);
  expect(await count(page, 'Points ledger entries')).toBe(2);
  await page.reload();
  await expect(page.locator('dl.counts div', { hasText: 'Points ledger entries' }).locator('dd')).toHaveText('2');
  await expect(page.locator('dl.counts div', { hasText: 'Orders' }).locator('dd')).toHaveText('2');
  // The customer's page shows the balance.
  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('row').filter({ hasText: 'Ann' }).getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'Tier and points' })).toContainText('200');
});
