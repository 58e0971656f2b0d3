import { test as base, expect } from '@playwright/test';
import { test, openApp, addCustomer } from './fixtures';

base('without IndexedDB the app explains what is wrong instead of a blank page', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  await expect(page.getByRole('alert')).toContainText("Your browser's storage is not available");
  await expect(page.getByRole('alert')).toContainText('private window');
});

test('a write that fails changes nothing and tells the user', async ({ page }) => {
  // Once armed, every IndexedDB put fails as when the disk is full.
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: any[]) {
      if ((window as any).__failWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args as any);
    };
  });
  await openApp(page);
  await addCustomer(page, { name: 'Kept Ke', phone: '13811112222' });
  await page.evaluate(() => { (window as any).__failWrites = true; });

  // A new customer is not added...
  await page.getByRole('link', { name: 'New customer' }).click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Lost Lu');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText("This device's storage is full: nothing was saved.")).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New customer' })).toBeVisible();

  // ...and an edit of an existing one is not applied.
  await page.getByRole('link', { name: 'Back to customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Lost Lu' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Kept Ke' }).click();
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('13999999999');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText("This device's storage is full").last()).toBeVisible();
  await page.getByRole('link', { name: 'Back to customers' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Kept Ke' })).toContainText('13811112222');

  await page.evaluate(() => { (window as any).__failWrites = false; });
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'Kept Ke' })).toContainText('13811112222');
  await expect(page.getByRole('row').filter({ hasText: 'Lost Lu' })).toHaveCount(0);
});

test('customer text is shown literally, never run as markup', async ({ page }) => {
  await openApp(page);
  const name = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await addCustomer(page, { name, tags: '<b>bold</b>' });
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: '<img src=x' })).toContainText('<b>bold</b>');
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await page.locator('main img, main b').count()).toBe(0);
});
