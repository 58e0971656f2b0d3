// Measures the app with the large demo (100,000 customers, ~1,000,000 orders) in Debian's
// Chromium: generating and storing it, start to first list render, keystroke to updated list,
// and start to interactive with 10,000 customers. Prints a JSON line of figures; asserts none.
import { test, expect, Page } from '@playwright/test';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/// Reloads and returns ms from navigation start to the first customer row, and to all data read.
async function startTimes(page: Page) {
  await page.reload();
  await page.getByRole('row').nth(1).waitFor();
  const firstRow = await page.evaluate(() => performance.now());
  const searchReady = await page.getByRole('searchbox').isEnabled();
  // All records read, or a failure shown.
  await page.waitForFunction(() => performance.getEntriesByName('kehu:ready').length > 0
    || document.querySelector('[role=alert]') !== null, null, { timeout: 600_000 });
  const failure = await page.locator('[role=alert]').allTextContents();
  if (failure.length) console.log('FAILURE ' + failure.join(' '));
  const marks = await page.evaluate(() => Object.fromEntries(
    performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
  return { first_row_ms: Math.round(firstRow), search_ready: searchReady, marks };
}

/// Types `text` into the search box one key at a time; ms from each keystroke to the list update.
async function keystrokes(page: Page, text: string) {
  return page.evaluate(async (text) => {
    const box = document.querySelector('input[type=search]') as HTMLInputElement;
    const count = document.querySelector('.count')!;
    const times: number[] = [];
    box.value = '';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => setTimeout(r, 300));
    for (const ch of text) {
      const before = count.textContent;
      const t0 = performance.now();
      const changed = new Promise<void>((resolve) => {
        const obs = new MutationObserver(() => { if (count.textContent !== before) { obs.disconnect(); resolve(); } });
        obs.observe(count, { childList: true, characterData: true, subtree: true });
      });
      box.value += ch;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await changed;
      // Until the frame showing the new rows is painted.
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      times.push(performance.now() - t0);
    }
    return times.map((t) => Math.round(t * 10) / 10);
  }, text);
}

test('large demo figures', async ({ page }) => {
  page.on('console', (m) => console.log(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  const figures: Record<string, unknown> = {};
  await page.goto('/#/data');
  await page.getByRole('radio', { name: /Large/ }).check();
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByText(/Demo data loaded: 100000 customers/)).toBeVisible({ timeout: 900_000 });
  figures.large_generate_and_store_s = (Date.now() - t0) / 1000;
  figures.large_marks = await page.evaluate(() => Object.fromEntries(
    performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));

  await page.goto('/#/customers');
  figures.start_100k = await startTimes(page);
  console.log('BENCH-PART ' + JSON.stringify(figures));
  const typed = await keystrokes(page, '138');
  const typedName = await keystrokes(page, '王');
  figures.keystroke_ms_100k = { digits: typed, name: typedName, median: median([...typed, ...typedName]) };
  console.log('BENCH-PART ' + JSON.stringify(figures));

  // 10,000 customers: keep the first 10,000 customers and their records, rewriting the bulk
  // segments in place (replace_all stores records as JSON segments of 5,000, keys "store:seq").
  await page.goto('/#/data');
  await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((res, rej) => {
      const r = indexedDB.open('kehu'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error);
    });
    const keep = new Set<string>();
    await new Promise<void>((res, rej) => {
      const tx = db.transaction('segments', 'readwrite');
      const cur = tx.objectStore('segments').openCursor();
      cur.onsuccess = () => {
        const c = cur.result; if (!c) return;
        const [store] = String(c.key).split(':');
        let records = JSON.parse(c.value.json);
        if (store === 'customers') {
          records = records.filter(() => keep.size < 10_000);
          records.forEach((r: any) => keep.add(r.id));
        } else if (store !== 'customers') {
          records = records.filter((r: any) => !r.customer_id || keep.has(r.customer_id));
        }
        if (records.length === 0) c.delete(); else c.update({ ...c.value, json: JSON.stringify(records) });
        c.continue();
      };
      tx.oncomplete = () => res(); tx.onerror = () => rej(tx.error);
    });
    db.close();
  });
  await page.goto('/#/customers');
  figures.start_10k = await startTimes(page);
  await expect(page.getByText(/of 10000 customers|of \d{4} customers/)).toBeVisible();
  figures.keystroke_ms_10k = await keystrokes(page, '138');
  console.log('BENCH ' + JSON.stringify(figures));
});
