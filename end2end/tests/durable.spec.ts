import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test, expect, openApp, addCustomer } from './fixtures';
import type { Page } from '@playwright/test';

async function count(page: Page, kind: string): Promise<number> {
  return Number(await page.locator('dl.counts div', { hasText: kind }).locator('dd').textContent());
}

/// Clicks a button that downloads a file and returns the file's name and text.
async function download(page: Page, button: string | RegExp): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

async function chooseDataFile(page: Page, name: string, text: string) {
  await page.getByLabel('Choose a Kehu data file (.json)').setInputFiles({
    name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8'),
  });
}

/// Reads one store of the app's database straight from IndexedDB (no app code involved).
async function rawStore(page: Page, store: string): Promise<any[]> {
  return page.evaluate((store) => new Promise<any[]>((resolve, reject) => {
    const open = indexedDB.open('kehu');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction(store).objectStore(store).getAll();
      req.onsuccess = () => { db.close(); resolve(req.result); };
      req.onerror = () => reject(req.error);
    };
  }), store);
}

test('the storage card says whether data is kept and how much space is used, in both languages', async ({ page }) => {
  await openApp(page, '#/data');
  const card = page.getByRole('region', { name: 'Storage on this device' });
  await expect(card.getByTestId('persistence')).toHaveText(/^(✓ )?(Kept permanently|Not kept permanently)/);
  await expect(card.getByTestId('storage-usage')).toHaveText(/^Used: [\d.]+ (B|KB|MB|GB) of [\d.]+ (KB|MB|GB|TB) available to this app \([\d.]+ (B|KB|MB|GB|TB) free\)\.$/);
  const ask = card.getByRole('button', { name: 'Ask the browser to keep the data' });
  if (await ask.isVisible()) {
    await ask.click();
    // Either the browser agrees, or the card says it did not and what to do instead.
    await expect(card.getByText(/Kept permanently|did not agree to keep the data permanently/).first()).toBeVisible();
  }
  const before = await card.getByTestId('storage-usage').textContent();

  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  const zh = page.getByRole('region', { name: '本设备上的存储' });
  await expect(zh.getByTestId('persistence')).toHaveText(/已永久保存|未永久保存/);
  await expect(zh.getByTestId('storage-usage')).toHaveText(/^已用 [\d.]+ (B|KB|MB|GB)，本应用可用总量 [\d.]+ (KB|MB|GB|TB)（剩余 [\d.]+ (B|KB|MB|GB|TB)）。$/);
  expect(before).not.toBe('');
});

test('storage full: the message names what was not saved, nothing is half-written, the app keeps working', async ({ page }) => {
  // Once armed with N, IndexedDB accepts N more puts and then fails the next one as a full disk
  // does; the transaction that got the error holds puts that went through before it.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: any[]) {
      const w = window as any;
      if (typeof w.__quotaAfter === 'number') {
        if (w.__quotaAfter <= 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        w.__quotaAfter -= 1;
      }
      return put.apply(this, args as any);
    };
  });
  await openApp(page);
  await addCustomer(page, { name: 'Kept Ke', phone: '13811112222' });
  await page.getByRole('link', { name: 'Data' }).click();
  const exported = JSON.parse((await download(page, 'Export everything (JSON)')).text);

  // A new customer is refused, naming it.
  await page.evaluate(() => { (window as any).__quotaAfter = 0; });
  await page.getByRole('link', { name: 'Customers' }).first().click();
  await page.getByRole('link', { name: 'New customer' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Lost Lu');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText("This device's storage is full: nothing was saved. Not saved: customer “Lost Lu”.")).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New customer' })).toBeVisible();

  // An import that replaces everything fails after its first records were put in the transaction:
  // the message names what it held, and none of it is kept.
  await page.evaluate(() => { (window as any).__quotaAfter = 1; });
  await page.getByRole('link', { name: 'Data' }).click();
  const bigger = structuredClone(exported);
  bigger.customers.push({ ...exported.customers[0], id: randomUUID(), name: 'Imported Im', phone: '13933334444' });
  await chooseDataFile(page, 'bigger.json', JSON.stringify(bigger));
  await page.getByRole('button', { name: 'Replace my data…' }).click();
  await page.getByRole('button', { name: 'Replace everything' }).click();
  await expect(page.getByText("This device's storage is full: nothing was saved. Not saved: the replacement of all data (Customers: 2).")).toBeVisible();
  expect(await count(page, 'Customers')).toBe(1);

  // The app keeps working: once there is space again, the next save goes through without a reload.
  await page.evaluate(() => { delete (window as any).__quotaAfter; });
  await page.getByRole('link', { name: 'Customers' }).first().click();
  await expect(page.getByRole('row').filter({ hasText: 'Imported Im' })).toHaveCount(0);
  await addCustomer(page, { name: 'Later La', phone: '13755556666' });

  // After a reload, exactly what was saved is there.
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'Kept Ke' })).toContainText('13811112222');
  await expect(page.getByRole('row').filter({ hasText: 'Later La' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Lost Lu' })).toHaveCount(0);
  await expect(page.getByRole('row').filter({ hasText: 'Imported Im' })).toHaveCount(0);
  const names = (await rawStore(page, 'customers')).map((c) => c.name).sort();
  expect(names).toEqual(['Kept Ke', 'Later La']);
});

test('two tabs: each sees the other\'s changes, and a stale edit is refused', async ({ page }) => {
  const a = page;
  const b = await page.context().newPage();
  await openApp(a);
  await openApp(b);

  // Added in A, shown in B.
  await addCustomer(a, { name: 'Tab Ta', phone: '13800000001' });
  await expect(b.getByRole('row').filter({ hasText: 'Tab Ta' })).toContainText('13800000001');

  // Edited in B, shown in A.
  await b.getByRole('link', { name: 'Tab Ta' }).click();
  await b.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(b.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Tab Ta');
  await b.getByRole('textbox', { name: 'Phone', exact: true }).fill('13900000002');
  await b.getByRole('button', { name: 'Save' }).click();
  await expect(b.getByText('Tab Ta saved.')).toBeVisible();
  await expect(a.getByRole('row').filter({ hasText: 'Tab Ta' })).toContainText('13900000002');

  // A starts an edit; B saves a newer version meanwhile; A's save is refused and A shows B's version.
  await a.getByRole('link', { name: 'Tab Ta' }).click();
  await a.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(a.getByRole('textbox', { name: 'Phone', exact: true })).toHaveValue('13900000002');
  await a.getByRole('textbox', { name: 'Name', exact: true }).fill('Tab Stale');

  await b.getByRole('link', { name: 'Tab Ta' }).click();
  await b.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(b.getByRole('textbox', { name: 'Phone', exact: true })).toHaveValue('13900000002');
  await b.getByRole('textbox', { name: 'Phone', exact: true }).fill('13700000003');
  await b.getByRole('button', { name: 'Save' }).click();
  await expect(b.getByRole('row').filter({ hasText: 'Tab Ta' })).toContainText('13700000003');

  await a.getByRole('button', { name: 'Save' }).click();
  await expect(a.getByText(/Not saved: customer “Tab Stale”\. It was changed in another tab at \d\d:\d\d:\d\d; the newer version is shown now\./)).toBeVisible();
  await expect(a.getByRole('heading', { level: 1, name: 'Tab Ta' })).toBeVisible();
  await expect(a.getByRole('main')).toContainText('13700000003');

  // Removed in A, gone in B.
  await a.getByRole('link', { name: 'Customers' }).first().click();
  await addCustomer(a, { name: 'Gone Go', phone: '13600000004' });
  await expect(b.getByRole('row').filter({ hasText: 'Gone Go' })).toBeVisible();
  await a.getByRole('link', { name: 'Gone Go' }).click();
  await a.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(a.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Gone Go');
  await a.getByRole('button', { name: 'Delete' }).click();
  await expect(a.getByText('Gone Go deleted.')).toBeVisible();
  await expect(b.getByRole('row').filter({ hasText: 'Gone Go' })).toHaveCount(0);

  // What is stored is B's newer version, not A's stale one.
  await a.reload();
  await expect(a.getByRole('row').filter({ hasText: 'Tab Ta' })).toContainText('13700000003');
  await expect(a.getByRole('row').filter({ hasText: 'Tab Stale' })).toHaveCount(0);
  await b.close();
});

test('two tabs: a sale edited from a stale form is refused, and the newer edit is kept', async ({ page }) => {
  const a = page;
  const b = await page.context().newPage();
  await openApp(a);
  await openApp(b, '#/sales');
  await addCustomer(a, { name: 'Sale Su' });
  await a.getByRole('main').focus();
  await a.keyboard.press('n');
  await expect(a.getByRole('combobox', { name: 'Customer' })).toBeFocused();
  await a.keyboard.type('Sale');
  await expect(a.getByRole('listbox', { name: 'Customer' }).getByRole('option').first()).toContainText('Sale Su');
  await a.keyboard.press('Enter');
  await a.getByRole('textbox', { name: 'Amount (before points)' }).fill('100');
  await a.getByRole('button', { name: 'Save sale' }).click();
  await expect(a.getByText('Sale of ¥100.00 saved for Sale Su; points balance 100.')).toBeVisible();
  await expect(b.getByRole('table').getByRole('row').nth(1)).toContainText('¥100.00');

  // A opens the sale's form; B saves a newer version meanwhile; A's save is refused.
  await a.getByRole('link', { name: /^Edit sale of / }).click();
  await expect(a.getByRole('textbox', { name: 'Amount (before points)' })).toHaveValue('100.00');
  await a.getByRole('textbox', { name: 'Amount (before points)' }).fill('300');
  await b.getByRole('link', { name: /^Edit sale of / }).click();
  await b.getByRole('textbox', { name: 'Amount (before points)' }).fill('250');
  await b.getByRole('button', { name: 'Save sale' }).click();
  await expect(b.getByText('Sale of ¥250.00 saved for Sale Su; points balance 250.')).toBeVisible();
  await a.getByRole('button', { name: 'Save sale' }).click();
  await expect(a.getByText(/Not saved: .*changed in another tab/)).toBeVisible();

  // What is stored is B's edit.
  await a.reload();
  await openApp(a, '#/sales');
  await expect(a.getByRole('table').getByRole('row').nth(1)).toContainText('¥250.00');
  await expect(a.getByRole('table')).not.toContainText('¥300.00');
  await b.close();
});

test('two tabs: the settings form follows the other tab\'s save instead of writing stale values', async ({ page }) => {
  const a = page;
  const b = await page.context().newPage();
  await openApp(a, '#/settings');
  await openApp(b, '#/settings');
  const nameA = a.getByRole('textbox', { name: 'Shop name' });
  const nameB = b.getByRole('textbox', { name: 'Shop name' });
  await nameB.fill('Tab B Shop');
  await b.getByRole('button', { name: 'Save' }).click();
  await expect(b.getByText('Settings saved.')).toBeVisible();
  // A's open form now shows B's name; saving A keeps it.
  await expect(nameA).toHaveValue('Tab B Shop');
  await a.getByRole('button', { name: 'Save' }).click();
  await expect(a.getByText('Settings saved.')).toBeVisible();
  await a.reload();
  await expect(a.getByRole('textbox', { name: 'Shop name' })).toHaveValue('Tab B Shop');
  await b.close();
});

test('a database from a newer version (higher IndexedDB version) is refused and left untouched', async ({ page }) => {
  // A page of the same origin that does not run the app.
  await page.route('**/blank.html', (route) => route.fulfill({
    contentType: 'text/html', body: '<!doctype html><link rel="icon" href="data:,"><title>blank</title>',
  }));
  await page.goto('/blank.html');
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('kehu', 99);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('future', { keyPath: 'id' }).put({ id: 'x', note: 'from Kehu 99' });
    };
    open.onsuccess = () => { open.result.close(); resolve(); };
    open.onerror = () => reject(open.error);
  }));
  await page.goto('/#/customers');
  await expect(page.getByRole('alert')).toContainText('A newer version saved this data');
  await expect(page.getByRole('alert')).toContainText('Reload the page to get the newer version.');
  const after = await page.evaluate(() => new Promise<{ version: number; stores: string[]; note: string }>((resolve, reject) => {
    const open = indexedDB.open('kehu');
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction('future').objectStore('future').get('x');
      req.onsuccess = () => {
        resolve({ version: db.version, stores: [...db.objectStoreNames], note: req.result.note });
        db.close();
      };
    };
    open.onerror = () => reject(open.error);
  }));
  expect(after).toEqual({ version: 99, stores: ['future'], note: 'from Kehu 99' });
});

test('a database whose schema marker is newer is refused and nothing is written', async ({ page }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Marker Ma', phone: '13512345678' });
  // A newer Kehu wrote a higher schema marker without changing the stores.
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('kehu');
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('meta', 'readwrite');
      tx.objectStore('meta').put(7, 'schema_version');
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await expect(page.getByRole('alert')).toContainText('A newer version saved this data');
  await expect(page.getByRole('alert')).toContainText('schema version 7');
  const meta = await page.evaluate(() => new Promise<unknown>((resolve) => {
    const open = indexedDB.open('kehu');
    open.onsuccess = () => {
      const req = open.result.transaction('meta').objectStore('meta').get('schema_version');
      req.onsuccess = () => { open.result.close(); resolve(req.result); };
    };
  }));
  expect(meta).toBe(7);
  expect((await rawStore(page, 'customers')).map((c) => c.name)).toEqual(['Marker Ma']);
});

test('encrypted backup: round trip, wrong passphrase and tampered file', async ({ page, browser }) => {
  await openApp(page);
  await addCustomer(page, { name: 'Secret Se', phone: '13822223333' });
  await page.getByRole('link', { name: 'Data' }).click();
  const section = page.getByRole('region', { name: 'Encrypted backup' });
  await section.getByLabel('Passphrase', { exact: true }).fill('short');
  await section.getByLabel('Passphrase again').fill('short');
  await section.getByRole('button', { name: 'Download encrypted backup' }).click();
  await expect(section.getByRole('alert')).toHaveText('Use at least 8 characters.');
  await section.getByLabel('Passphrase', { exact: true }).fill('correct horse 马');
  await section.getByLabel('Passphrase again').fill('correct horse 马');
  const file = await download(page, 'Download encrypted backup');
  expect(file.name).toMatch(/^kehu-encrypted-\d{4}-\d\d-\d\d\.json$/);
  expect(file.text).not.toContain('Secret Se');
  const envelope = JSON.parse(file.text);
  expect(envelope).toMatchObject({ format: 'kehu-crm-encrypted', version: 1, kdf: 'PBKDF2-SHA-256', cipher: 'AES-GCM-256' });
  expect(envelope.iterations).toBeGreaterThanOrEqual(310_000);
  expect(Buffer.from(envelope.salt, 'base64')).toHaveLength(16);
  expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);

  // A fresh profile, empty.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await openApp(other, '#/data');
  const unlock = other.getByRole('group', { name: `“${file.name}” is an encrypted backup` });

  // Wrong passphrase: refused, nothing changed.
  await chooseDataFile(other, file.name, file.text);
  await unlock.getByLabel('Passphrase').fill('wrong horse');
  await unlock.getByRole('button', { name: 'Open' }).click();
  await expect(unlock.getByRole('alert')).toHaveText('Wrong passphrase: the file was not opened and nothing was changed.');
  expect(await count(other, 'Customers')).toBe(0);
  await unlock.getByRole('button', { name: 'Cancel' }).click();

  // Tampered: one byte of the ciphertext changed.
  const bytes = Buffer.from(envelope.ciphertext, 'base64');
  bytes[Math.floor(bytes.length / 2)] ^= 1;
  await chooseDataFile(other, file.name, JSON.stringify({ ...envelope, ciphertext: bytes.toString('base64') }));
  await unlock.getByLabel('Passphrase').fill('correct horse 马');
  await unlock.getByRole('button', { name: 'Open' }).click();
  await expect(unlock.getByRole('alert')).toHaveText('The file was changed or damaged after it was made, so it cannot be trusted. Nothing was changed.');
  await unlock.getByRole('button', { name: 'Cancel' }).click();

  // Tampered header: a different IV is detected too.
  const iv = Buffer.from(envelope.iv, 'base64');
  iv[0] ^= 1;
  await chooseDataFile(other, file.name, JSON.stringify({ ...envelope, iv: iv.toString('base64') }));
  await unlock.getByLabel('Passphrase').fill('correct horse 马');
  await unlock.getByRole('button', { name: 'Open' }).click();
  await expect(unlock.getByRole('alert')).toContainText('The file was changed or damaged after it was made');
  await unlock.getByRole('button', { name: 'Cancel' }).click();
  expect(await count(other, 'Customers')).toBe(0);
  await other.reload();
  await expect(other.locator('dl.counts div', { hasText: 'Customers' }).locator('dd')).toHaveText('0');

  // The right passphrase: the normal import follows (check, then replace).
  await chooseDataFile(other, file.name, file.text);
  await unlock.getByLabel('Passphrase').fill('correct horse 马');
  await unlock.getByRole('button', { name: 'Open' }).click();
  await expect(other.getByRole('heading', { name: 'The file is valid' })).toBeVisible();
  await other.getByRole('button', { name: 'Replace my data…' }).click();
  await other.getByRole('button', { name: 'Replace everything' }).click();
  await expect(other.getByText('The data was replaced: 1 customers.')).toBeVisible();
  await other.reload();
  await other.getByRole('link', { name: 'Customers' }).first().click();
  await expect(other.getByRole('row').filter({ hasText: 'Secret Se' })).toContainText('13822223333');
  await fresh.close();
});
