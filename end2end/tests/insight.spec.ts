import { readFileSync } from 'fs';
import { test, expect, openApp } from './fixtures';
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

const sum = (xs: string[]) => xs.reduce((s, x) => s + Number(x), 0);

test('the dashboard shows the figures, and each chart\'s table holds the numbers it draws', async ({ page }) => {
  await loadDemo(page);
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  const kpi = (label: string | RegExp) => page.locator('.kpi').filter({ has: page.locator('dt', { hasText: label }) }).locator('dd');
  await expect(kpi(/^Customers$/)).toHaveText('200');
  for (const label of ['Active customers', 'New buyers this month', 'Revenue, last 30 days', 'Revenue, last 90 days',
    'Revenue, last 365 days', 'Repeat-purchase rate', 'Average order value', 'NPS', 'Open churn warnings', 'Tasks due']) {
    await expect(kpi(label), label).not.toBeEmpty();
  }
  await expect(kpi('Revenue, last 365 days')).toContainText('vs the previous period');
  await expect(kpi('Repeat-purchase rate')).toHaveText(/^\d+\.\d%$/);

  // Each chart is an image with a title and a description.
  const months = page.getByRole('figure', { name: 'Revenue by month' });
  await expect(months.getByRole('img', { name: /Revenue by month/ })).toBeVisible();
  await months.getByRole('button', { name: 'Show as table' }).click();
  await expect(months.getByRole('img')).toBeHidden();
  const monthTable = months.getByRole('table');
  await expect(monthTable.locator('tbody tr')).toHaveCount(12);

  const segments = page.getByRole('figure', { name: 'Customers per RFM segment' });
  const drawn = await segments.locator('svg g.bar').evaluateAll((gs) =>
    gs.map((g) => [g.querySelector('.tick')!.textContent!.trim(), g.querySelector('.value')!.textContent!.trim()]));
  expect(drawn.length).toBeGreaterThan(2);
  await segments.getByRole('button', { name: 'Show as table' }).click();
  const table = segments.getByRole('table');
  const names = await column(table, 0);
  const counts = await column(table, 1);
  expect(names.map((n, i) => [n, counts[i]])).toEqual(drawn);
  // Every buying customer is in one segment; the chart's description for screen readers says how many.
  await segments.getByRole('button', { name: 'Show as table' }).click();
  await expect(segments.getByRole('img')).toHaveAccessibleName(new RegExp(`${sum(counts)} buying customers`));
});

test('RFM: heatmap and segments agree, the worked example follows the chosen customer, bins persist', async ({ page }) => {
  await loadDemo(page);
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('navigation', { name: 'Analytics pages' }).getByRole('link', { name: 'RFM' }).click();
  await expect(page).toHaveURL(/#\/analytics\/rfm$/);
  await expect(page.getByRole('heading', { name: 'RFM analysis', level: 1 })).toBeVisible();

  const heat = page.getByRole('figure', { name: /R×F heatmap/ });
  const cellCounts = await heat.locator('svg .cell .count').allTextContents();
  expect(cellCounts).toHaveLength(25);
  await heat.getByRole('button', { name: 'Show as table' }).click();
  const heatTable = heat.getByRole('table');
  const tableCounts = await column(heatTable, 1);
  expect([...tableCounts].sort()).toEqual([...cellCounts].sort());
  const segTable = page.getByRole('table', { name: 'Customers and revenue per RFM segment' });
  expect(sum(tableCounts)).toBe(sum(await column(segTable, 1)));
  expect(sum(tableCounts)).toBeGreaterThan(100);

  // The teaching panel: formula with the course's terms, then a worked example for a chosen customer.
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('最近一次消费');
  const picker = teach.getByRole('combobox', { name: 'Worked example for' });
  const options = await picker.locator('option').allTextContents();
  expect(options.length).toBeGreaterThan(10);
  const chosen = options[3];
  await teach.getByRole('searchbox', { name: 'Find a customer' }).fill(chosen.split(' (')[0]);
  await expect(picker.locator('option').first()).toHaveText(chosen);
  await expect(teach.getByRole('heading', { name: `Worked example: ${chosen}` })).toBeVisible();
  await expect(teach.locator('.steps li')).not.toHaveCount(0);
  await expect(teach.locator('.steps')).toContainText('R score =');
  await expect(teach.locator('.params')).toContainText('= 5');
  await teach.getByRole('searchbox', { name: 'Find a customer' }).fill('');
  await picker.selectOption({ label: options[1] });
  await expect(teach.getByRole('heading', { name: `Worked example: ${options[1]}` })).toBeVisible();

  // Three bins: the grid and the example change at once, and stay after a reload.
  await page.getByRole('combobox', { name: 'Score bins' }).selectOption('3');
  await expect(page.locator('svg .cell .count')).toHaveCount(9);
  expect(sum(await page.locator('svg .cell .count').allTextContents())).toBe(sum(tableCounts));
  await page.getByRole('figure', { name: /R×F heatmap/ }).getByRole('button', { name: 'Show as table' }).click();
  await expect(page.getByRole('figure', { name: /R×F heatmap/ }).getByRole('table').locator('tbody tr')).toHaveCount(9);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Score bins' })).toHaveValue('3');
  await expect(page.locator('svg .cell .count')).toHaveCount(9);
  await expect(page.locator('details.teach .params')).toContainText('= 3');

  // A window that ends before it starts is refused with a message, and nothing changes.
  await page.getByRole('textbox', { name: 'From' }).fill('2026-05-01');
  await page.getByRole('textbox', { name: 'To' }).fill('2026-01-01');
  await expect(page.getByText(/starts on 2026-05-01 but ends earlier, on 2026-01-01/)).toBeVisible();
  await expect(page.locator('svg .cell .count')).toHaveCount(9);

  // CSV export: UTF-8 with a BOM, one row per buying customer.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = readFileSync(await (await download).path()!, 'utf8');
  expect(file.charCodeAt(0)).toBe(0xfeff);
  const lines = file.trim().split('\n');
  expect(lines[0]).toContain('Segment');
  expect(lines.length - 1).toBe(sum(tableCounts));

  // The print view leaves out the header and the controls.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-header')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });

  // A fixed analysis date replays the data as of that day, and is kept.
  const heatCount = async () => sum(await page.locator('svg .cell .count').allTextContents());
  const everyone = await heatCount();
  await page.getByLabel('Analysis date', { exact: true }).fill('2025-06-30');
  await expect(page.getByText('Analysis date: 2025-06-30')).toBeVisible();
  await expect.poll(heatCount).toBeLessThan(everyone);
  await page.reload();
  await expect(page.getByText('Analysis date: 2025-06-30')).toBeVisible();
  await expect(page.getByLabel('Analysis date', { exact: true })).toHaveValue('2025-06-30');
});

test('ABC: Pareto table, classes, thresholds that apply at once and persist; teaching in Chinese', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/abc');
  await expect(page.getByRole('heading', { name: 'ABC analysis (Pareto)', level: 1 })).toBeVisible();
  const classes = page.getByRole('table', { name: 'Customers and revenue per ABC class' });
  await expect(classes.locator('tbody tr')).toHaveCount(3);
  const before = await column(classes, 1);
  const pareto = page.getByRole('figure', { name: /Pareto curve/ });
  await expect(pareto.locator('svg circle.dot')).toHaveCount(10);
  await pareto.getByRole('button', { name: 'Show as table' }).click();
  const shares = await column(pareto.getByRole('table'), 1);
  expect(shares).toHaveLength(10);
  expect(shares[9]).toBe('100.0%');

  await page.getByRole('spinbutton', { name: /Threshold A/ }).fill('50');
  await page.getByRole('spinbutton', { name: /Threshold A/ }).press('Tab');
  await expect.poll(async () => Number((await column(classes, 1))[0])).toBeLessThan(Number(before[0]));
  const after = await column(classes, 1);
  expect(sum(after)).toBe(sum(before));
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: /Threshold A/ })).toHaveValue('50');
  await expect.poll(async () => (await column(classes, 1))[0]).toBe(after[0]);

  await page.getByRole('spinbutton', { name: /Threshold B/ }).fill('40');
  await page.getByRole('spinbutton', { name: /Threshold B/ }).press('Tab');
  await expect(page.getByText('Thresholds must satisfy 0 < A ≤ B ≤ 100; got A = 50, B = 40.')).toBeVisible();

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('二八法则');
  await expect(teach.getByRole('heading', { name: /计算示例：/ })).toBeVisible();
  await expect(teach.locator('.steps')).toContainText('ABC 类别 =');
});
