import { readFileSync } from 'fs';
import { test, expect, openApp } from './fixtures';
import type { Page, Locator } from '@playwright/test';

async function loadDemo(page: Page) {
  await openApp(page);
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
}

/// Every body row of a table, cell texts (the row heading first).
async function rows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((r) => Array.from(r.children).map((c) => (c.textContent ?? '').trim())));
}

/// The texts of a table's column `col` (0 = the row heading), body rows only.
async function column(table: Locator, col: number): Promise<string[]> {
  return (await rows(table)).map((r) => r[col]);
}

const sum = (xs: string[]) => xs.reduce((s, x) => s + Number(x), 0);
/// An amount shown as money, as a number.
const amount = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));

/// Opens a chart's table and returns its rows.
async function chartTable(figure: Locator): Promise<string[][]> {
  await figure.getByRole('button', { name: 'Show as table' }).click();
  await expect(figure.getByRole('img')).toBeHidden();
  return rows(figure.getByRole('table'));
}

async function openDashboard(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
}

test('dashboard: the lifecycle funnel draws and tables the lifecycle page\'s counts, and links to it', async ({ page }) => {
  await loadDemo(page);
  await openDashboard(page);
  const funnel = page.getByRole('figure', { name: 'Customers per lifecycle stage' });
  await expect(funnel.getByRole('img')).toHaveAccessibleName(/Customers per lifecycle stage.*200 customers/);
  const drawn = await funnel.locator('svg .stage .count').allTextContents();
  expect(drawn).toHaveLength(7);
  expect(sum(drawn)).toBe(200);
  const table = await chartTable(funnel);
  expect(table.map((r) => r[0])).toEqual(['Potential', 'New', 'Active', 'Loyal', 'Loyal, new line of business', 'At risk', 'Lost']);
  expect(table.map((r) => r[1])).toEqual(drawn);

  await funnel.getByRole('link', { name: 'Details: Lifecycle page →' }).click();
  await expect(page).toHaveURL(/#\/analytics\/lifecycle$/);
  await expect(page.getByRole('heading', { name: 'Customer lifecycle', level: 1 })).toBeVisible();
  const stages = page.getByRole('table', { name: /Customers and revenue per lifecycle stage/ });
  // Stage, customers, share, revenue: the same as on the dashboard.
  expect((await rows(stages)).map((r) => r.slice(0, 4))).toEqual(table);
  const pageFunnel = page.getByRole('figure', { name: 'Customers per lifecycle stage' });
  expect(await chartTable(pageFunnel)).toEqual(table);

  // A threshold changed on the lifecycle page is what the dashboard draws next.
  const lost = page.getByRole('spinbutton', { name: /Lost: no purchase for more than/ });
  await lost.fill('200');
  await lost.press('Tab');
  await expect(stages).toContainText('No purchase for more than 200 days.');
  const after = await column(stages, 1);
  expect(Number(after[6])).toBeGreaterThan(Number(drawn[6]));
  await openDashboard(page);
  await expect(funnel.locator('svg .stage .count')).toHaveText(after);
});

test('dashboard: the Pareto curve\'s table reaches the ABC totals and equals the ABC page\'s', async ({ page }) => {
  await loadDemo(page);
  await openDashboard(page);
  const pareto = page.getByRole('figure', { name: /Pareto curve/ });
  await expect(pareto.getByRole('img')).toHaveAccessibleName(/Pareto curve.*\d+ buying customers.*top 20% of customers bring \d+\.\d% of revenue/);
  await expect(pareto.locator('svg circle.dot')).toHaveCount(10);
  const table = await chartTable(pareto);
  expect(table).toHaveLength(10);
  // Customers %, revenue %, customers, revenue up to here: cumulative, so never falling.
  for (let i = 1; i < table.length; i++) {
    expect(Number(table[i][2])).toBeGreaterThan(Number(table[i - 1][2]));
    expect(amount(table[i][3])).toBeGreaterThanOrEqual(amount(table[i - 1][3]));
  }
  const top = table[9];
  expect(top.slice(0, 2)).toEqual(['100.0%', '100.0%']);

  await pareto.getByRole('link', { name: 'Details: ABC page →' }).click();
  await expect(page).toHaveURL(/#\/analytics\/abc$/);
  const classes = page.getByRole('table', { name: 'Customers and revenue per ABC class' });
  await expect(classes.locator('tbody tr')).toHaveCount(3);
  // The top point is everyone: all the ABC classes' customers and revenue.
  expect(Number(top[2])).toBe(sum(await column(classes, 1)));
  const classRevenue = (await column(classes, 3)).map(amount).reduce((s, x) => s + x, 0);
  expect(amount(top[3])).toBeCloseTo(classRevenue, 2);
  expect(await chartTable(page.getByRole('figure', { name: /Pareto curve/ }))).toEqual(table);
});

test('dashboard: the R×F heatmap counts every buying customer and matches the RFM page\'s heatmap', async ({ page }) => {
  await loadDemo(page);
  await openDashboard(page);
  const segments = page.getByRole('figure', { name: 'Customers per RFM segment' });
  const buyers = sum((await chartTable(segments)).map((r) => r[1]));
  expect(buyers).toBeGreaterThan(100);

  const heat = page.getByRole('figure', { name: /R×F heatmap/ });
  await expect(heat.getByRole('img')).toHaveAccessibleName(new RegExp(`R×F heatmap.*5 by 5 cells.*${buyers} buying customers`));
  const drawn = await heat.locator('svg .cell .count').allTextContents();
  expect(drawn).toHaveLength(25);
  expect(sum(drawn)).toBe(buyers);
  const table = await chartTable(heat);
  expect(table).toHaveLength(25);
  expect(table[0][0]).toBe('R5 F1');
  expect(sum(table.map((r) => r[1]))).toBe(buyers);
  expect([...table.map((r) => r[1])].sort()).toEqual([...drawn].sort());

  await heat.getByRole('link', { name: 'Details: RFM page →' }).click();
  await expect(page).toHaveURL(/#\/analytics\/rfm$/);
  await expect(page.getByRole('heading', { name: 'RFM analysis', level: 1 })).toBeVisible();
  expect(await chartTable(page.getByRole('figure', { name: /R×F heatmap/ }))).toEqual(table);
  const segTable = page.getByRole('table', { name: 'Customers and revenue per RFM segment' });
  expect(sum(await column(segTable, 1))).toBe(buyers);

  // Three bins on the RFM page: the dashboard's grid follows.
  await page.getByRole('combobox', { name: 'Score bins' }).selectOption('3');
  await expect(page.locator('svg .cell .count')).toHaveCount(9);
  await openDashboard(page);
  await expect(heat.locator('svg .cell .count')).toHaveCount(9);
  expect(sum(await heat.locator('svg .cell .count').allTextContents())).toBe(buyers);
});

test('dashboard charts on a 360-px phone in dark mode, and in Chinese', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
  const page = await context.newPage();
  await loadDemo(page);
  await openDashboard(page);
  const figures = [
    page.getByRole('figure', { name: 'Customers per lifecycle stage' }),
    page.getByRole('figure', { name: /Pareto curve/ }),
    page.getByRole('figure', { name: /R×F heatmap/ }),
  ];
  for (const f of figures) {
    await f.scrollIntoViewIfNeeded();
    const box = (await f.getByRole('img').boundingBox())!;
    expect(box.width).toBeGreaterThan(250);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    // Dark mode: the labels are light on the dark card, not the default black.
    const [text, card] = await f.evaluate((el) => [
      getComputedStyle(el.querySelector('svg text')!).fill,
      getComputedStyle(el).backgroundColor,
    ]);
    expect(text).not.toBe('rgb(0, 0, 0)');
    expect(text).not.toBe(card);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  const funnel = page.getByRole('figure', { name: '各生命周期阶段的客户' });
  await expect(funnel.getByRole('link', { name: '详见生命周期页面 →' })).toBeVisible();
  await expect(page.getByRole('figure', { name: /帕累托曲线/ }).getByRole('link', { name: '详见ABC 分析页面 →' })).toBeVisible();
  await expect(page.getByRole('figure', { name: /R×F 热力图/ }).getByRole('link', { name: '详见RFM 分析页面 →' })).toBeVisible();
  await page.getByRole('figure', { name: /帕累托曲线/ }).getByRole('button', { name: '以表格显示' }).click();
  await expect(page.getByRole('figure', { name: /帕累托曲线/ }).getByRole('columnheader', { name: '累计收入' })).toBeVisible();
  await context.close();
});

const methodPages: [string, string][] = [
  ['#/analytics/rfm', 'RFM analysis'],
  ['#/analytics/abc', 'ABC analysis (Pareto)'],
  ['#/analytics/matrix', 'Customer value matrix'],
  ['#/analytics/lifecycle', 'Customer lifecycle'],
  ['#/analytics/churn', 'Churn warnings'],
  ['#/analytics/clv', 'Customer lifetime value (CLV)'],
  ['#/analytics/loyalty', 'Loyalty analysis'],
  ['#/analytics/satisfaction', 'Satisfaction: NPS and CSI'],
];

test('every analytics page exports CSV, prints without its controls, and teaches in Chinese on a chosen customer', async ({ page }) => {
  test.setTimeout(120_000);
  await loadDemo(page);
  for (const [hash, title] of [['#/dashboard', 'Dashboard'], ...methodPages]) {
    await openApp(page, hash);
    await expect(page.getByRole('heading', { name: title, level: 1 }), hash).toBeVisible();
    const firstChart = page.getByRole('figure').first();
    await expect(firstChart.getByRole('img'), hash).toBeVisible();

    // CSV: UTF-8 with a byte-order mark, a heading row and at least one row of figures.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = readFileSync((await (await download).path())!, 'utf8');
    expect(file.charCodeAt(0), hash).toBe(0xfeff);
    expect(file.trim().split('\n').length, hash).toBeGreaterThan(1);

    // Print view: no header, navigation or buttons; each chart prints with its table.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.app-header'), hash).toBeHidden();
    await expect(page.getByRole('button', { name: 'Export CSV' }), hash).toBeHidden();
    await expect(page.getByRole('navigation', { name: 'Analytics pages' }), hash).toBeHidden();
    await expect(firstChart.locator('table'), hash).toBeVisible();
    await expect(firstChart.locator('svg'), hash).toBeVisible();
    await page.emulateMedia({ media: 'screen' });
  }

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  for (const [hash] of methodPages) {
    await openApp(page, hash);
    const teach = page.locator('details.teach');
    await expect(teach.getByText('这是怎么算的？'), hash).toBeVisible();
    if (hash.endsWith('satisfaction')) {
      // Satisfaction is taught on the responses of a month, not on one customer.
      await expect(teach.getByRole('heading', { name: /计算示例：/ }), hash).toBeVisible();
      continue;
    }
    const picker = teach.getByRole('combobox', { name: '计算示例客户' });
    const options = await picker.locator('option').allTextContents();
    expect(options.length, hash).toBeGreaterThan(2);
    await picker.selectOption({ label: options[2] });
    await expect(teach.getByRole('heading', { name: `计算示例：${options[2]}` }), hash).toBeVisible();
    await expect(teach.locator('.steps li').first(), hash).toBeVisible();
  }
});

test('the dashboard CSV carries every chart\'s numbers, equal to the charts\' tables', async ({ page }) => {
  await loadDemo(page);
  await openDashboard(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const lines = readFileSync((await (await download).path())!, 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
  /// A CSV line's fields ("…" quoted when it holds a comma or a quote).
  const fields = (line: string) => [...line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)]
    .map((m) => m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  /// (item, value) of the rows of one chart, "Chart title — item,value,".
  const of = (title: string) => lines.map(fields)
    .filter(([label]) => label.startsWith(`${title} — `))
    .map(([label, value]) => [label.slice(title.length + 3), value]);

  const funnel = await chartTable(page.getByRole('figure', { name: 'Customers per lifecycle stage' }));
  expect(of('Customers per lifecycle stage')).toEqual(funnel.map((r) => [r[0], r[1]]));
  const segments = await chartTable(page.getByRole('figure', { name: 'Customers per RFM segment' }));
  expect(of('Customers per RFM segment')).toEqual(segments.map((r) => [r[0], r[1]]));
  const heat = of('R×F heatmap: customers and revenue per cell');
  expect(heat).toHaveLength(25);
  expect(sum(heat.map((r) => r[1]))).toBe(sum(segments.map((r) => r[1])));
  const pareto = of('Pareto curve: cumulative revenue by customers');
  expect(pareto).toHaveLength(10);
  expect(pareto[9]).toEqual(['100.0%', '100.0%']);
});
