import { test as base, expect, Page } from '@playwright/test';
import { PORT } from '../playwright.config';

/// Every test fails on a console error or a request that leaves 127.0.0.1.
/// `allowedOrigins` adds origins a spec serves the app from itself (e.g. a sub-path server, file://).
export const test = base.extend<{ guard: void; allowedOrigins: string[] }>({
  allowedOrigins: [[], { option: true }],
  guard: [async ({ page, allowedOrigins }, use) => {
    const allowed = [`http://127.0.0.1:${PORT}/`, ...allowedOrigins];
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      const url = req.url();
      if (!allowed.some((origin) => url.startsWith(origin)) && !url.startsWith('data:')) {
        problems.push(`request left the origin: ${url}`);
      }
    });
    await use();
    expect(problems, problems.join('\n')).toEqual([]);
  }, { auto: true }],
});
export { expect };

/// Opens the app and waits until it has read its data.
export async function openApp(page: Page, hash = '#/customers') {
  await page.goto(`/${hash}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

export interface NewCustomer { name: string; phone?: string; email?: string; company?: string; tags?: string }

/// Adds a customer through the form, as a user does.
export async function addCustomer(page: Page, c: NewCustomer) {
  await page.getByRole('link', { name: 'New customer' }).first().click();
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(c.name);
  if (c.phone) await page.getByRole('textbox', { name: 'Phone', exact: true }).fill(c.phone);
  if (c.email) await page.getByRole('textbox', { name: 'E-mail', exact: true }).fill(c.email);
  if (c.company) await page.getByRole('textbox', { name: 'Company', exact: true }).fill(c.company);
  if (c.tags) await page.getByRole('textbox', { name: 'Tags', exact: true }).fill(c.tags);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: c.name })).toBeVisible();
}
