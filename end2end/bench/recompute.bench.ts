// Measures, in the app with the large demo (100,000 customers, ~1,000,000 orders) in Debian's
// Chromium, what a user waits for after a change on an analytics page: the RFM bins changed
// (settings saved, analysis recomputed from the kept tables, page redrawn), and a sale recorded
// (the order table rebuilt too). Prints a JSON line of figures; asserts none.
import { test, expect, Page } from '@playwright/test';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/// The latest start time of the mark `name` (ms since navigation).
const lastMark = (page: Page, name: string) => page.evaluate((name) => {
  const m = performance.getEntriesByName(name);
  return m.length ? m[m.length - 1].startTime : NaN;
}, name);

/// Changes the bins select to `bins` and returns ms from the change to (a) the analysis recomputed
/// (its own start/done marks) and (b) the heatmap redrawn and painted.
async function changeBins(page: Page, bins: string) {
  return page.evaluate(async (bins) => {
    const select = document.getElementById('rfm-bins') as HTMLSelectElement;
    const heat = document.getElementById('chart-heat') ?? document.querySelector('figure');
    const redrawn = new Promise<void>((resolve) => {
      const obs = new MutationObserver(() => { obs.disconnect(); resolve(); });
      obs.observe(heat!, { childList: true, subtree: true, characterData: true });
    });
    const t0 = performance.now();
    select.value = bins;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await redrawn;
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    const shown = performance.now() - t0;
    const start = performance.getEntriesByName('kehu:analysis-start').pop()!.startTime;
    const done = performance.getEntriesByName('kehu:analysis-done').pop()!.startTime;
    return { recompute_ms: done - start, change_to_painted_ms: shown };
  }, bins);
}

test('recompute after a change, large demo', async ({ page }) => {
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  const figures: Record<string, unknown> = {};
  await page.goto('/#/data');
  await page.getByRole('radio', { name: /Large/ }).check();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 100000 customers/)).toBeVisible({ timeout: 900_000 });

  await page.goto('/#/analytics/rfm');
  await expect(page.getByRole('table', { name: 'Customers and revenue per RFM segment' })).toBeVisible({ timeout: 120_000 });
  const runs: { recompute_ms: number; change_to_painted_ms: number }[] = [];
  for (const bins of ['4', '5', '3', '5', '4', '5', '3', '5']) {
    runs.push(await changeBins(page, bins));
    await page.waitForTimeout(300);
  }
  figures.bins_recompute_ms_median = median(runs.map((r) => r.recompute_ms));
  figures.bins_change_to_painted_ms_median = median(runs.map((r) => r.change_to_painted_ms));
  figures.bins_runs = runs.map((r) => [Math.round(r.recompute_ms), Math.round(r.change_to_painted_ms)]);

  console.log('BENCH-PART ' + JSON.stringify(figures));

  // A sale: the order table is rebuilt, then the analysis recomputed (memos are lazy: when a page
  // that shows the analysis is opened again).
  const sales: number[][] = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('/#/sales/new');
    const who = page.getByRole('combobox', { name: 'Customer' });
    await who.fill('138');
    await page.getByRole('listbox', { name: 'Customer' }).getByRole('option').first().click();
    await page.getByRole('textbox', { name: 'Amount (before points)' }).fill('88.00');
    const before = await lastMark(page, 'kehu:analysis-done');
    await page.getByRole('button', { name: 'Save sale' }).click();
    await expect(page.getByRole('heading', { name: 'Sales', level: 1 })).toBeVisible();
    await page.goto('/#/analytics/rfm');
    await page.waitForFunction((before) => {
      const m = performance.getEntriesByName('kehu:analysis-done');
      return m.length > 0 && m[m.length - 1].startTime > before;
    }, before, { timeout: 60_000 });
    const t = await page.evaluate(() => {
      const at = (n: string) => performance.getEntriesByName(n).pop()!.startTime;
      return [at('kehu:order-table-done') - at('kehu:order-table-start'),
        at('kehu:analysis-done') - at('kehu:analysis-start')];
    });
    sales.push(t.map(Math.round));
  }
  figures.sale_order_table_and_recompute_ms = sales;
  console.log('BENCH ' + JSON.stringify(figures));
});
