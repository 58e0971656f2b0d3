import { chromium } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { test, expect, openApp, addCustomer } from './fixtures';
import { chromiumArgs, PORT } from '../playwright.config';

test('language follows the browser, and a switch is remembered', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: '客户' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.getByRole('combobox', { name: '语言' }).selectOption('en');
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await context.close();
});

test('theme switch applies and is remembered', async ({ page }) => {
  await openApp(page);
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(21, 23, 26)');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
});

test('shop name from settings shows in the header', async ({ page }) => {
  await openApp(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'Shop name' }).fill('小王咖啡');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('banner')).toContainText('小王咖啡');
});

test('data survives closing and reopening the browser', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kehu-profile-'));
  const open = () => chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs, locale: 'en-US',
    baseURL: `http://127.0.0.1:${PORT}/`,
  });
  let ctx = await open();
  let page = ctx.pages()[0] ?? await ctx.newPage();
  await openApp(page);
  await addCustomer(page, { name: 'Persistent Pan', phone: '13812345678' });
  await ctx.close();
  ctx = await open();
  page = ctx.pages()[0] ?? await ctx.newPage();
  await openApp(page);
  await expect(page.getByRole('row').filter({ hasText: 'Persistent Pan' })).toBeVisible();
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a 360-px phone screen shows the list without sideways scrolling', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('link', { name: '新建客户' }).first().click();
  await page.getByRole('textbox', { name: '姓名', exact: true }).fill('手机用户');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('row').filter({ hasText: '手机用户' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole('link', { name: '手机用户' }).click();
  const formOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(formOverflow).toBeLessThanOrEqual(0);
  await context.close();
});
