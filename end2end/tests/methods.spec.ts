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
/// An amount shown as money, as a number.
const amount = (s: string) => Number(s.replace(/[^0-9.-]/g, ''));

/// Picks the `n`-th customer of the teaching panel by typing its name, and returns its label.
async function pickExample(page: Page, n: number): Promise<string> {
  const teach = page.locator('details.teach');
  const picker = teach.getByRole('combobox', { name: 'Worked example for' });
  const options = await picker.locator('option').allTextContents();
  expect(options.length).toBeGreaterThan(n);
  const chosen = options[n];
  await teach.getByRole('searchbox', { name: 'Find a customer' }).fill(chosen.split(' (')[0]);
  await expect(picker.locator('option').first()).toHaveText(chosen);
  await expect(teach.getByRole('heading', { name: `Worked example: ${chosen}` })).toBeVisible();
  return chosen;
}

/// Customers per quadrant as drawn, in the table's order (best, spenders, frequent, uncertain).
async function drawnQuadrants(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const q of ['best', 'spenders', 'frequent', 'uncertain']) {
    out.push((await page.locator(`svg .quad.q-${q} .quad-count`).textContent())!.trim());
  }
  return out;
}

test('value matrix: quadrants drawn and tabled agree, strategies, worked example, splits persist', async ({ page }) => {
  await loadDemo(page);
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await page.getByRole('navigation', { name: 'Analytics pages' }).getByRole('link', { name: 'Value matrix' }).click();
  await expect(page).toHaveURL(/#\/analytics\/matrix$/);
  await expect(page.getByRole('heading', { name: 'Customer value matrix', level: 1 })).toBeVisible();
  await expect(page.getByText(/Splits in force: average order value .* \(median\), purchase frequency .* orders \(median\)/)).toBeVisible();

  const figure = page.getByRole('figure', { name: /Customer value matrix: average order value × purchase frequency/ });
  await expect(figure.getByRole('img')).toHaveAccessibleName(/Scatter of \d+ buying customers/);
  await expect(figure.locator('svg path.marks')).toHaveAttribute('d', /^M/);
  const drawn = await drawnQuadrants(page);
  await figure.getByRole('button', { name: 'Show as table' }).click();
  const table = figure.getByRole('table');
  await expect(table.locator('tbody tr')).toHaveCount(4);
  expect(await column(table, 0)).toEqual([
    'Best customers (最好的客户)', 'Spenders (乐于消费型客户)', 'Frequent customers (经常性客户)', 'Uncertain customers (不确定型客户)',
  ]);
  const counts = await column(table, 1);
  expect(counts).toEqual(drawn);
  const buyers = sum(counts);
  expect(buyers).toBeGreaterThan(100);
  // The cards say the same, with the course's strategy for each quadrant.
  await expect(page.locator('.quadrant.q-best')).toContainText(`${counts[0]} customers`);
  await expect(page.locator('.quadrant.q-best')).toContainText('Retain and reward');
  await expect(page.locator('.quadrant.q-spenders')).toContainText('Increase purchase frequency');
  await expect(page.locator('.quadrant.q-frequent')).toContainText('up-sell and cross-sell');
  await expect(page.locator('.quadrant.q-uncertain')).toContainText('Maintain at low cost');

  // Teaching panel: the formula with the course's terms, then the chosen customer step by step.
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('客户价值矩阵');
  await pickExample(page, 2);
  await expect(teach.locator('.steps li')).toHaveCount(4);
  await expect(teach.locator('.steps')).toContainText('average order value (平均购买额) =');
  await expect(teach.locator('.steps')).toContainText(/quadrant = (Best|Spenders|Frequent|Uncertain)/);
  await expect(teach.locator('.params')).toContainText('AOV split is the median = ✓');

  // A frequency split above everyone's orders: nobody is frequent, at once and after a reload.
  const freq = page.getByRole('spinbutton', { name: /Split of purchase frequency/ });
  await freq.fill('1000');
  await freq.press('Tab');
  await expect(page.locator('svg .quad.q-best .quad-count')).toHaveText('0');
  await expect(page.locator('svg .quad.q-frequent .quad-count')).toHaveText('0');
  expect(sum(await drawnQuadrants(page))).toBe(buyers);
  await expect(page.getByText(/purchase frequency 1000 orders \(set value\)/)).toBeVisible();
  await expect(teach.locator('.params')).toContainText('frequency split is the median = ✗');
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: /Split of purchase frequency/ })).toHaveValue('1000');
  await expect(page.locator('svg .quad.q-best .quad-count')).toHaveText('0');
  const fig2 = page.getByRole('figure', { name: /Customer value matrix/ });
  await fig2.getByRole('button', { name: 'Show as table' }).click();
  expect(await column(fig2.getByRole('table'), 1)).toEqual(await drawnQuadrants(page));

  // A bad split is refused with a message naming it, and nothing changes.
  await page.getByRole('spinbutton', { name: /Split of average order value/ }).fill('-5');
  await page.getByRole('spinbutton', { name: /Split of average order value/ }).press('Tab');
  await expect(page.getByText('A split must be a number of at least 0, or empty for the median; “-5” is not.')).toBeVisible();

  await page.getByRole('button', { name: 'Use the medians' }).click();
  await expect.poll(() => drawnQuadrants(page)).toEqual(drawn);

  // CSV export: one row per buying customer.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = readFileSync(await (await download).path()!, 'utf8');
  expect(file.charCodeAt(0)).toBe(0xfeff);
  const lines = file.trim().split('\n');
  expect(lines[0]).toContain('strategy');
  expect(lines.length - 1).toBe(buyers);
});

test('lifecycle: funnel and stage table agree, thresholds apply at once and persist', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/lifecycle');
  await expect(page.getByRole('heading', { name: 'Customer lifecycle', level: 1 })).toBeVisible();
  const funnel = page.getByRole('figure', { name: 'Customers per lifecycle stage' });
  const drawnCounts = await funnel.locator('svg .stage .count').allTextContents();
  const drawnMoney = await funnel.locator('svg .stage .money').allTextContents();
  expect(drawnCounts).toHaveLength(7);
  expect(sum(drawnCounts)).toBe(200);
  await funnel.getByRole('button', { name: 'Show as table' }).click();
  const chartTable = funnel.getByRole('table');
  expect(await column(chartTable, 1)).toEqual(drawnCounts);
  expect(await column(chartTable, 3)).toEqual(drawnMoney);
  const stages = page.getByRole('table', { name: /Customers and revenue per lifecycle stage/ });
  expect(await column(stages, 0)).toEqual(['Potential', 'New', 'Active', 'Loyal', 'Loyal, new line of business', 'At risk', 'Lost']);
  expect(await column(stages, 1)).toEqual(drawnCounts);
  await expect(stages).toContainText('No purchase for more than 365 days.');
  // Potential customers bought nothing.
  expect(amount((await column(stages, 3))[0])).toBe(0);

  const teach = page.locator('details.teach');
  await expect(teach).toContainText('客户生命周期');
  await pickExample(page, 1);
  await expect(teach.locator('.steps li')).toHaveCount(7);
  await expect(teach.locator('.steps')).toContainText(/stage = (New|Active|Loyal|At risk|Lost|Loyal, new line of business)/);
  await expect(teach.locator('.params')).toContainText('365 days');

  // Lost after 200 days: more customers are lost, at once and after a reload.
  const lostBefore = Number(drawnCounts[6]);
  const lost = page.getByRole('spinbutton', { name: /Lost: no purchase for more than/ });
  await lost.fill('200');
  await lost.press('Tab');
  await expect(stages).toContainText('No purchase for more than 200 days.');
  await expect.poll(async () => Number((await column(stages, 1))[6])).toBeGreaterThan(lostBefore);
  const after = await column(stages, 1);
  expect(sum(after)).toBe(200);
  await expect(teach.locator('.params')).toContainText('200 days');
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: /Lost: no purchase for more than/ })).toHaveValue('200');
  await expect.poll(() => column(page.getByRole('table', { name: /Customers and revenue per lifecycle stage/ }), 1)).toEqual(after);
  expect(await page.locator('svg .stage .count').allTextContents()).toEqual(after);

  // A new period longer than the lost one is refused, and nothing changes.
  await page.getByRole('spinbutton', { name: /New: first purchase within/ }).fill('300');
  await page.getByRole('spinbutton', { name: /New: first purchase within/ }).press('Tab');
  await expect(page.getByText('The new period (300 days) must be shorter than the lost period (200 days).')).toBeVisible();
  expect(await page.locator('svg .stage .count').allTextContents()).toEqual(after);
});

test('churn: warnings by value at risk, tasks for two selected customers without duplicates, k persists', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/churn');
  await expect(page.getByRole('heading', { name: 'Churn warnings', level: 1 })).toBeVisible();
  const summary = page.getByText(/\d+ of \d+ buying customers have a churn warning/);
  const warnings = async () => Number((await summary.textContent())!.match(/^(\d+) of/)![1]);
  const n = await warnings();
  expect(n).toBeGreaterThan(3);
  await expect(page.getByText(/Value at risk \(风险价值\) = the customer's average annual spend/)).toBeVisible();

  // The warning list, largest value at risk first.
  const list = page.getByRole('table', { name: 'Customers with a churn warning, by value at risk' });
  await expect(list.locator('tbody tr')).toHaveCount(Math.min(n, 50));
  const values = (await column(list, 4)).map(amount);
  expect([...values].sort((x, y) => y - x)).toEqual(values);

  // The chart draws the first ten, and its table holds the same numbers.
  const chart = page.getByRole('figure', { name: 'Largest value at risk' });
  const drawn = await chart.locator('svg g.bar').evaluateAll((gs) =>
    gs.map((g) => [g.querySelector('.tick')!.textContent!.trim(), g.querySelector('.value')!.textContent!.trim()]));
  expect(drawn.length).toBe(Math.min(n, 10));
  await chart.getByRole('button', { name: 'Show as table' }).click();
  const chartTable = chart.getByRole('table');
  const names = await column(chartTable, 0);
  expect((await column(chartTable, 1))).toEqual(drawn.map((d) => d[1]));
  expect(names).toEqual(drawn.map((d) => d[0]));
  expect((await column(chartTable, 1)).map(amount)).toEqual(values.slice(0, drawn.length));

  // The worked example for a warned customer.
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('流失预警');
  await pickExample(page, 0);
  await expect(teach.locator('.steps')).toContainText('overdue = ✓');
  await expect(teach.locator('.steps')).toContainText('value at risk =');
  await teach.getByRole('searchbox', { name: 'Find a customer' }).fill('');

  // Tasks for the first two warned customers without an open follow-up (the demo makes some,
  // depending on the day it is loaded).
  const rowName = async (i: number) => (await list.locator('tbody tr').nth(i).locator('th').innerText()).trim();
  const free = (await list.locator('tbody tr').allTextContents())
    .map((text, i) => ({ text, i }))
    .filter((r) => !r.text.includes('Task open'))
    .map((r) => r.i);
  expect(free.length).toBeGreaterThanOrEqual(3);
  const [i1, i2, i3] = free;
  const first = await rowName(i1);
  const second = await rowName(i2);
  const third = await rowName(i3);
  await page.getByRole('checkbox', { name: `Select ${first}` }).check();
  await page.getByRole('checkbox', { name: `Select ${second}` }).check();
  await page.getByRole('button', { name: 'Create tasks for selected (2)' }).click();
  await expect(page.getByText('Created 2 churn follow-up tasks.')).toBeVisible();
  await expect(list.locator('tbody tr').nth(i1)).toContainText('Task open');
  await expect(list.locator('tbody tr').nth(i2)).toContainText('Task open');
  await expect(page.getByRole('button', { name: 'Create tasks for selected (0)' })).toBeVisible();

  // The first again with the third: only the third gets one; Undo takes it back.
  await page.getByRole('checkbox', { name: `Select ${first}` }).check();
  await page.getByRole('checkbox', { name: `Select ${third}` }).check();
  await page.getByRole('button', { name: 'Create tasks for selected (2)' }).click();
  await expect(page.getByText('Created 1 churn follow-up tasks; 1 customers already had an open one.')).toBeVisible();
  await expect(list.locator('tbody tr').nth(i3)).toContainText('Task open');
  await page.locator('.toast').filter({ hasText: 'Created 1 churn follow-up tasks' }).getByRole('button', { name: 'Undo' }).click();
  await expect(list.locator('tbody tr').nth(i3)).not.toContainText('Task open');
  await expect(list.locator('tbody tr').nth(i1)).toContainText('Task open');

  // On the Tasks page, due today.
  const plain = (label: string) => label.split(' (')[0];
  await page.getByRole('link', { name: 'Tasks' }).click();
  const todayTasks = page.getByRole('region', { name: /^Today/ });
  await expect(todayTasks).toContainText(`Win back ${plain(first)} (churn warning)`);
  await expect(todayTasks).toContainText(`Win back ${plain(second)} (churn warning)`);
  await expect(todayTasks).not.toContainText(`Win back ${plain(third)} (churn warning)`);

  // k = 5: fewer warnings, at once and after a reload.
  await openApp(page, '#/analytics/churn');
  const k = page.getByRole('spinbutton', { name: /Factor k/ });
  await k.fill('5');
  await k.press('Tab');
  await expect.poll(warnings).toBeLessThan(n);
  const fewer = await warnings();
  await expect(teach.locator('.params')).toContainText('k = 5.000');
  await page.reload();
  await expect(page.getByRole('spinbutton', { name: /Factor k/ })).toHaveValue('5');
  await expect.poll(warnings).toBe(fewer);
  await k.fill('0');
  await k.press('Tab');
  await expect(page.getByText('k must be a number above 0 and at most 100, not “0”.')).toBeVisible();
});

test('简体中文: the value matrix with the course\'s quadrants, strategies and worked example', async ({ page }) => {
  await loadDemo(page);
  await openApp(page, '#/analytics/matrix');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('heading', { name: '客户价值矩阵', level: 1 })).toBeVisible();
  await expect(page.getByRole('navigation', { name: /分析/ }).getByRole('link', { name: '流失预警' })).toBeVisible();
  await expect(page.locator('.quadrant.q-best')).toContainText('最好的客户');
  await expect(page.locator('.quadrant.q-best')).toContainText('保持与奖励');
  await expect(page.locator('.quadrant.q-frequent')).toContainText('向上销售');
  const teach = page.locator('details.teach');
  await expect(teach).toContainText('平均购买额 AOV');
  await expect(teach.getByRole('heading', { name: /计算示例：/ })).toBeVisible();
  await expect(teach.locator('.steps')).toContainText('平均购买额（AOV） =');
  await expect(teach.locator('.steps')).toContainText(/策略 = (保持与奖励|提高购买频率|提高单次购买额|低成本维持)/);

  const freq = page.getByRole('spinbutton', { name: '购买次数分界值（留空：中位数）' });
  await freq.fill('1000');
  await freq.press('Tab');
  await expect(page.getByText(/购买次数 1000 次（设定值）/)).toBeVisible();
  await expect(page.locator('svg .quad.q-best .quad-count')).toHaveText('0');
  const figure = page.getByRole('figure', { name: /客户价值矩阵：平均购买额 × 购买次数/ });
  await figure.getByRole('button').click();
  await expect(figure.getByRole('table').locator('tbody tr').first()).toContainText('最好的客户');
  expect((await column(figure.getByRole('table'), 1))[0]).toBe('0');
});
