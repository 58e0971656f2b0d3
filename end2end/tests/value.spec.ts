import { readFileSync } from 'fs';
import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page, Locator } from '@playwright/test';

async function loadDemo(page: Page) {
  await openApp(page);
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
}

/// The texts of a table's column `col` (0 = the row heading), body rows only.
async function column(table: Locator, col: number): Promise<string[]> {
  return table.locator('tbody tr').evaluateAll(
    (rows, c) => rows.map((r) => (r.children[c] as HTMLElement).innerText.trim()),
    col,
  );
}

/// The bars a chart draws: [label, value text] per bar.
async function drawnBars(figure: Locator): Promise<string[][]> {
  return figure.locator('svg g.bar').evaluateAll((gs) =>
    gs.map((g) => [g.querySelector('.tick')!.textContent!.trim(), g.querySelector('.value')!.textContent!.trim()]));
}

/// Switches a chart to its table and returns the table's first two columns, row by row.
async function chartTable(figure: Locator): Promise<string[][]> {
  await figure.getByRole('button', { name: 'Show as table' }).click();
  const table = figure.getByRole('table');
  await expect(table).toBeVisible();
  const a = await column(table, 0);
  const b = await column(table, 1);
  return a.map((x, i) => [x, b[i]]);
}

const sum = (xs: string[]) => xs.reduce((s, x) => s + Number(x), 0);
const money = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));

/// The number of significant digits of a number as written.
const significant = (s: string) => s.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;

test('CLV: fitted parameters, P(alive) chart and its table, top customers, worked example; horizon persists', async ({ page }) => {
  await loadDemo(page);
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('navigation', { name: 'Analytics pages' }).getByRole('link', { name: 'CLV' }).click();
  await expect(page).toHaveURL(/#\/analytics\/clv$/);
  await expect(page.getByRole('heading', { name: 'Customer lifetime value (CLV)', level: 1 })).toBeVisible();

  // The fitted parameters: one row per parameter, the symbol then the value (≥ 4 significant digits).
  const params = page.getByRole('table', { name: 'Fitted parameters' });
  await expect(params.locator('tbody tr')).toHaveCount(7);
  expect(await column(params, 0)).toEqual(['r', 'α', 'a', 'b', 'p', 'q', 'v']);
  const values = await column(params, 1);
  for (const v of values) {
    expect(Number.isFinite(Number(v)), v).toBe(true);
    expect(Number(v)).toBeGreaterThan(0);
    expect(significant(v), v).toBeGreaterThanOrEqual(4);
  }
  await expect(page.getByText(/Log-likelihood of the BG\/NBD fit: -\d/)).toBeVisible();
  const fittedOn = await page.getByText(/^Fitted on \d+ customers/).textContent();
  const customers = Number(/Fitted on (\d+)/.exec(fittedOn!)![1]);
  expect(customers).toBeGreaterThan(100);

  // The P(alive) chart draws the numbers its table holds; every customer is in one bin.
  const palive = page.getByRole('figure', { name: 'P(alive) distribution' });
  const drawn = await drawnBars(palive);
  expect(drawn).toHaveLength(10);
  const table = await chartTable(palive);
  expect(table).toEqual(drawn);
  expect(sum(table.map((r) => r[1]))).toBe(customers);

  // Top customers, highest CLV first.
  const top = page.getByRole('table', { name: 'Top 20 customers by predicted CLV' });
  await expect(top.locator('tbody tr')).toHaveCount(20);
  await expect(top.getByRole('columnheader', { name: 'Expected purchases (next 12 months)' })).toBeVisible();
  const clvs = (await column(top, 4)).map(money);
  expect(clvs[0]).toBeGreaterThan(0);
  expect([...clvs].sort((x, y) => y - x)).toEqual(clvs);
  const textbook = page.getByRole('table', { name: 'Model and textbook CLV' });
  await expect(textbook.getByRole('row', { name: /Textbook CLV per buying customer/ })).toContainText(/¥\d/);
  await expect(textbook.getByRole('row', { name: /Mean predicted CLV per customer/ })).toContainText(/¥\d/);

  // The worked example follows the chosen customer; its CLV is the one in the table.
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('存活概率');
  const picker = teach.getByRole('combobox', { name: 'Worked example for' });
  const options = await picker.locator('option').allTextContents();
  expect(options.length).toBeGreaterThan(10);
  const topNames = await column(top, 0);
  expect(options.slice(0, 3)).toEqual(topNames.slice(0, 3));
  await picker.selectOption({ label: options[2] });
  await expect(teach.getByRole('heading', { name: `Worked example: ${options[2]}` })).toBeVisible();
  await expect(teach.locator('.steps li')).toHaveCount(5);
  await expect(teach.locator('.steps')).toContainText('P(alive) =');
  const months = teach.getByRole('table', { name: 'The CLV sum, month by month' });
  await expect(months.locator('tbody tr')).toHaveCount(12);
  const monthSum = sum(await column(months, 3));
  expect(Math.abs(monthSum - clvs[2])).toBeLessThan(0.1);

  // A longer horizon: more months, larger CLVs, and it stays after a reload.
  await page.getByRole('spinbutton', { name: 'Horizon (months)' }).fill('24');
  await page.getByRole('spinbutton', { name: 'Horizon (months)' }).press('Tab');
  await expect(top.getByRole('columnheader', { name: 'Expected purchases (next 24 months)' })).toBeVisible();
  await expect(months.locator('tbody tr')).toHaveCount(24);
  expect(money((await column(top, 4))[0])).toBeGreaterThan(clvs[0]);
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: 'Horizon (months)' })).toHaveValue('24');
  await expect(page.getByRole('table', { name: 'Top 20 customers by predicted CLV' })
    .getByRole('columnheader', { name: 'Expected purchases (next 24 months)' })).toBeVisible();
  // The fitted parameters do not depend on the horizon.
  expect(await column(page.getByRole('table', { name: 'Fitted parameters' }), 1)).toEqual(values);

  // Days instead of weeks: α is in days, so it changes.
  await page.getByRole('combobox', { name: 'Time unit' }).selectOption('day');
  await expect.poll(async () => (await column(page.getByRole('table', { name: 'Fitted parameters' }), 1))[1])
    .not.toBe(values[1]);

  // A bad horizon is refused with a message.
  await page.getByRole('spinbutton', { name: 'Horizon (months)' }).fill('0');
  await page.getByRole('spinbutton', { name: 'Horizon (months)' }).press('Tab');
  await expect(page.getByText('The horizon must be a whole number of months from 1 to 1200; got 0.')).toBeVisible();

  // CSV export: one row per customer of the model.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = readFileSync(await (await download).path()!, 'utf8');
  expect(file.charCodeAt(0)).toBe(0xfeff);
  expect(file.trim().split('\n').length - 1).toBe(customers);
});

test('CLV: with only two customers the page says the data are too thin to fit', async ({ page }) => {
  await openApp(page);
  for (const [name, amount] of [['Li Lei', '120'], ['Han Meimei', '80']]) {
    await addCustomer(page, { name });
    await openApp(page, '#/sales/new');
    await page.getByRole('combobox', { name: 'Customer' }).fill(name);
    await page.getByRole('listbox', { name: 'Customer' }).getByRole('option').first().click();
    await page.getByRole('textbox', { name: 'Amount (before points)' }).fill(amount);
    await page.getByRole('button', { name: 'Save sale' }).click();
    await expect(page.getByRole('heading', { name: 'Sales', level: 1 })).toBeVisible();
    await openApp(page, '#/customers');
  }
  await openApp(page, '#/analytics/clv');
  await expect(page.getByRole('alert').filter({ hasText: 'Too little data' })).toHaveText(
    'Too little data to fit the BG/NBD model: it needs at least 3 customers with purchases, and there are 2. Record more sales, or use the textbook formula below.');
  await expect(page.getByRole('table', { name: 'Fitted parameters' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Model and textbook CLV' })).toBeVisible();

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('alert').filter({ hasText: '数据太少' })).toContainText('至少需要 3 位有购买的客户，目前只有 2 位');
});

test('Loyalty: score histogram and table agree, quadrant types, tiers, worked example; a weight persists', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/loyalty');
  await expect(page.getByRole('heading', { name: 'Loyalty analysis', level: 1 })).toBeVisible();

  const scores = page.getByRole('figure', { name: 'Loyalty score distribution' });
  const drawn = await drawnBars(scores);
  expect(drawn).toHaveLength(10);
  const table = await chartTable(scores);
  expect(table).toEqual(drawn);
  const scored = sum(table.map((r) => r[1]));
  expect(scored).toBeGreaterThanOrEqual(200);

  const quadrant = page.getByRole('figure', { name: /Loyalty quadrant/ });
  await expect(quadrant.getByRole('img')).toHaveAccessibleName(/surveyed customers by behaviour and attitude score/);
  const types = await chartTable(quadrant);
  expect(types.map((t) => t[0])).toEqual(['true loyalty', 'latent loyalty', 'spurious loyalty (inertia)', 'no loyalty']);
  expect(sum(types.map((t) => t[1]))).toBeGreaterThan(10);
  await expect(page.getByRole('heading', { name: 'The four loyalty types and what to do' })).toBeVisible();
  await expect(page.locator('.types')).toContainText('Remove what stops them buying');

  const tiers = page.getByRole('figure', { name: 'Customers per tier' });
  const tierRows = await chartTable(tiers);
  expect(tierRows.length).toBeGreaterThanOrEqual(2);
  const tierCounts = await column(tiers.getByRole('table'), 2);
  expect(sum(tierCounts)).toBeGreaterThan(150);

  // Worked example for a chosen customer, step by step.
  const teach = page.locator('details.teach');
  const picker = teach.getByRole('combobox', { name: 'Worked example for' });
  const options = await picker.locator('option').allTextContents();
  await picker.selectOption({ label: options[4] });
  await expect(teach.getByRole('heading', { name: `Worked example: ${options[4]}` })).toBeVisible();
  await expect(teach.locator('.steps li')).toHaveCount(12);
  await expect(teach.locator('.steps')).toContainText('score = 100 · Σ wᵢcᵢ / Σ wᵢ');
  await expect(teach.locator('.params')).toContainText('weight of NPS = 0.200');

  // The weight of NPS set to 0: the scores change at once and the weight stays after a reload.
  const mean = () => page.getByText(/Mean loyalty score \d/).textContent();
  const before = await mean();
  await page.getByRole('spinbutton', { name: 'weight of NPS' }).fill('0');
  await page.getByRole('spinbutton', { name: 'weight of NPS' }).press('Tab');
  await expect(teach.locator('.params')).toContainText('weight of NPS = 0.000');
  expect(await mean()).not.toBe(before);
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: 'weight of NPS' })).toHaveValue('0');
  await expect(page.locator('details.teach .params')).toContainText('weight of NPS = 0.000');
});

test('Satisfaction: NPS by month and CSI per dimension match their tables; weights apply and persist', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/satisfaction');
  await expect(page.getByRole('heading', { name: 'Satisfaction: NPS and CSI', level: 1 })).toBeVisible();

  const nps = page.getByRole('figure', { name: 'NPS by month' });
  const drawn = await drawnBars(nps);
  expect(drawn.length).toBeGreaterThan(2);
  await nps.getByRole('button', { name: 'Show as table' }).click();
  const npsTable = nps.getByRole('table');
  const months = await column(npsTable, 0);
  const npsValues = await column(npsTable, 5);
  expect(months.map((m, i) => [m, npsValues[i]])).toEqual(drawn);
  // Each month's NPS is % promoters − % detractors of its answers.
  const promoters = await column(npsTable, 1);
  const detractors = await column(npsTable, 3);
  const responses = await column(npsTable, 4);
  for (let i = 0; i < months.length; i++) {
    const want = (Number(promoters[i]) - Number(detractors[i])) * 100 / Number(responses[i]);
    expect(Math.abs(Number(npsValues[i]) - want)).toBeLessThan(0.051);
  }

  const csi = page.getByRole('figure', { name: 'CSI per dimension' });
  const csiDrawn = await drawnBars(csi);
  expect(csiDrawn.map((b) => b[0])).toEqual(['Reliability', 'Professionalism', 'Tangibles', 'Empathy', 'Responsiveness']);
  await csi.getByRole('button', { name: 'Show as table' }).click();
  const csiTable = csi.getByRole('table');
  expect((await column(csiTable, 5)).map((v, i) => [csiDrawn[i][0], v])).toEqual(csiDrawn);
  const overall = page.locator('[data-figure="csi"]');
  const dimCsi = (await column(csiTable, 5)).map(Number);
  const mean = dimCsi.reduce((s, x) => s + x, 0) / 5;
  expect(Math.abs(Number(await overall.textContent()) - mean)).toBeLessThan(0.11);

  // Reliability weighs 4 times as much as each other dimension (half of all weight): the overall CSI moves toward it.
  await page.getByRole('spinbutton', { name: 'Weight: reliability 可信度' }).fill('0.8');
  await page.getByRole('spinbutton', { name: 'Weight: reliability 可信度' }).press('Tab');
  const weighted = (dimCsi[0] * 0.8 + 0.2 * (dimCsi[1] + dimCsi[2] + dimCsi[3] + dimCsi[4])) / 1.6;
  await expect.poll(async () => Math.abs(Number(await overall.textContent()) - weighted)).toBeLessThan(0.11);
  // The page is drawn anew with the new figures: the chart shows again, its table one click away.
  await page.getByRole('figure', { name: 'CSI per dimension' }).getByRole('button', { name: 'Show as table' }).click();
  await expect(page.getByRole('figure', { name: 'CSI per dimension' }).getByRole('table').locator('tbody tr').first())
    .toContainText('50.0%');
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: 'Weight: reliability 可信度' })).toHaveValue('0.8');
  await expect.poll(async () => Math.abs(Number(await page.locator('[data-figure="csi"]').textContent()) - weighted))
    .toBeLessThan(0.11);

  // The worked example: all responses, then one month's.
  const teach = page.locator('details.teach');
  await expect(teach.getByRole('heading', { name: 'Worked example: all responses' })).toBeVisible();
  await expect(teach.locator('.steps')).toContainText('NPS = % promoters − % detractors');
  await expect(teach.locator('.steps')).toContainText('CSI · Reliability =');
  const month = months[months.length - 1];
  await teach.getByRole('combobox', { name: 'Worked example for' }).selectOption(month);
  await expect(teach.getByRole('heading', { name: `Worked example: responses of ${month}` })).toBeVisible();
  await expect(teach.locator('.steps li').first()).toContainText(`Responses = ${responses[responses.length - 1]}`);
});

test('中文：CLV 页面显示拟合参数、计算示例与存活概率', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/clv');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('heading', { name: '客户终身价值（CLV）', level: 1 })).toBeVisible();
  const params = page.getByRole('table', { name: '拟合参数' });
  expect(await column(params, 0)).toEqual(['r', 'α', 'a', 'b', 'p', 'q', 'v']);
  await expect(page.getByRole('figure', { name: '存活概率 P(alive) 分布' })).toBeVisible();
  const teach = page.locator('details.teach');
  await expect(teach.getByRole('heading', { name: /计算示例：/ })).toBeVisible();
  await expect(teach.locator('.steps')).toContainText('x（复购次数）');
  await page.getByRole('navigation', { name: /分析/ }).getByRole('link', { name: '满意度' }).click();
  await expect(page.getByRole('heading', { name: '客户满意度：NPS 与 CSI', level: 1 })).toBeVisible();
  await expect(page.getByRole('figure', { name: '各维度 CSI' }).locator('svg')).toContainText('可信度');
});
