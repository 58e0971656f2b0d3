import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from '@playwright/test';
import { test as base, expect, addCustomer } from './fixtures';
import { serveCopy, StaticSite } from './static-site';

const DIST = resolve(__dirname, '../../dist');

/// Each test gets its own static host serving a copy of dist/ under /shop/kehu/ (a sub-path, as on
/// GitHub Pages), so it can stop the host or put a new version in place.
const test = base.extend<{ site: StaticSite }>({
  site: async ({}, use, testInfo) => {
    const site = await serveCopy(DIST, testInfo.outputPath('site'));
    await use(site);
    await site.close();
  },
  allowedOrigins: async ({ site }, use) => use([site.origin]),
});

/// Opens the app at `url` and waits for its first page.
async function open(page: Page, url: string) {
  await page.goto(`${url}#/customers`);
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
}

/// Waits until the service worker has stored this version's files, and returns its scope.
async function offlineCopyReady(page: Page): Promise<string> {
  return page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
}

test('served from a sub-path, the app and its service worker stay inside it', async ({ page, site }) => {
  await open(page, site.url);
  await addCustomer(page, { name: 'Sub Path Sun', phone: '13800000001' });
  expect(await offlineCopyReady(page)).toBe(site.url);
  // Every file came from /shop/kehu/, and nothing was missing.
  expect(site.log.length).toBeGreaterThan(5);
  for (const entry of site.log) expect(entry).toMatch(/^200 \/shop\/kehu\//);
  // The manifest's start page and scope are the sub-path too.
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]')!;
    const json = await (await fetch(link.href)).json();
    return { start: new URL(json.start_url, link.href).href, scope: new URL(json.scope, link.href).href };
  });
  expect(manifest).toEqual({ start: site.url, scope: site.url });
});

test('it can be installed: a manifest with icons of the usual sizes', async ({ page, site }) => {
  await open(page, site.url);
  await offlineCopyReady(page);
  const icons = await page.evaluate(async () => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]')!;
    const json = await (await fetch(link.href)).json();
    const apple = document.querySelector<HTMLLinkElement>('link[rel=apple-touch-icon]')!;
    const all = [...json.icons, { src: apple.href, sizes: '180x180', purpose: 'apple-touch' }];
    return Promise.all(all.map(async (icon: { src: string; sizes: string; purpose?: string }) => {
      const img = new Image();
      img.src = new URL(icon.src, link.href).href;
      await img.decode();
      return `${icon.purpose ?? 'any'} ${icon.sizes} ${img.naturalWidth}x${img.naturalHeight}`;
    }));
  });
  expect(icons).toEqual(expect.arrayContaining([
    'any 192x192 192x192', 'any 512x512 512x512', 'maskable 512x512 512x512', 'apple-touch 180x180 180x180',
  ]));
  // Chromium's own verdict: nothing stops installing it but the test browser's private profile.
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
});

test('after the first visit it starts with the network off and shows the stored records', async ({ page, context, site }) => {
  await open(page, site.url);
  await addCustomer(page, { name: 'Offline Olga', company: 'No Signal Ltd' });
  await offlineCopyReady(page);
  // The network is gone: the host is stopped and the browser is offline.
  await site.close();
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Offline Olga' })).toBeVisible();
  // Opening it afresh at its address (a new tab, another route) works too, and so does writing.
  const again = await context.newPage();
  await again.goto(`${site.url}#/customers/new`);
  await expect(again.getByRole('textbox', { name: 'Name', exact: true })).toBeVisible();
  await again.getByRole('link', { name: 'Customers', exact: true }).click();
  await addCustomer(again, { name: 'Written Offline' });
  await again.close();
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: 'Written Offline' })).toBeVisible();
  await context.setOffline(false);
});

test('a new version waits for the user: "A new version is ready — Reload", records kept', async ({ page, site }) => {
  await open(page, site.url);
  await addCustomer(page, { name: 'Kept Across Versions' });
  await offlineCopyReady(page);
  expect(await page.locator('meta[name=kehu-test-version]').count()).toBe(0);

  // Publish "version 2": a changed page, and a service worker whose version differs.
  const index = resolve(site.root, 'index.html');
  writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', '<head>\n    <meta name="kehu-test-version" content="2">'));
  const sw = resolve(site.root, 'sw.js');
  const before = readFileSync(sw, 'utf8');
  const after = before.replace(/const VERSION = "([0-9a-f]+)";/, 'const VERSION = "$1-v2";');
  expect(after).not.toBe(before);
  writeFileSync(sw, after);

  // Opening the app again still runs version 1, and offers version 2.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
  await expect(page.getByText('A new version is ready')).toBeVisible();
  const reload = page.getByRole('button', { name: 'Reload', exact: true });
  await expect(reload).toBeVisible();
  expect(await page.locator('meta[name=kehu-test-version]').count()).toBe(0);
  await expect(page.getByRole('row').filter({ hasText: 'Kept Across Versions' })).toBeVisible();

  // The same offer in Chinese; nothing switches until the click.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByText('新版本已就绪')).toBeVisible();
  expect(await page.locator('meta[name=kehu-test-version]').count()).toBe(0);
  await page.getByRole('button', { name: '重新加载' }).click();

  // Now version 2 runs, with the same records, and the offer is gone.
  await expect(page.locator('meta[name=kehu-test-version]')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: '客户', level: 1 })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'Kept Across Versions' })).toBeVisible();
  await expect(page.getByText('新版本已就绪')).toHaveCount(0);
  expect(await page.evaluate(() => new Promise((done) => {
    navigator.serviceWorker.addEventListener('message', (e) => done(e.data.kehuVersion), { once: true });
    navigator.serviceWorker.controller!.postMessage('kehu-version');
  }))).toMatch(/-v2$/);
});

base.describe('the one-file edition', () => {
  base.use({ allowedOrigins: ['file://'] });

  base('kehu.html opened from file:// keeps its records in IndexedDB', async ({ page }, testInfo) => {
    // A copy somewhere else, as a teacher would put it on a USB stick.
    const file = testInfo.outputPath('kehu.html');
    copyFileSync(resolve(DIST, 'kehu.html'), file);
    await page.goto(pathToFileURL(file).href);
    await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
    await addCustomer(page, { name: 'Stick Stella', email: 'stella@example.org' });
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: 'Stick Stella' })).toBeVisible();
    // Everything is in the file: no other file is read, and no service worker.
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(await page.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull();
    const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
    expect(csp).toContain("connect-src 'none'");
  });
});

base.describe('Content-Security-Policy', () => {
  base('a session of use violates no policy and sends nothing outside the page\'s origin', async ({ page, context }) => {
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(() => {
      (window as unknown as { __cspViolations: string[] }).__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __cspViolations: string[] }).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto('/#/customers');
    await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();

    // The policy is strict: no inline script, only this origin.
    const csp = await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(await page.locator('script:not([src])').count()).toBe(0);

    // A session: demo data, every main page, a customer, a sale, settings, language and theme.
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.getByRole('button', { name: 'Load demo data' }).click();
    await expect(page.getByText(/Demo data loaded: 200 customers/)).toBeVisible({ timeout: 30_000 });
    for (const [link, heading] of [['Dashboard', 'Dashboard'], ['Customers', 'Customers'], ['Sales', 'Sales'],
      ['Loyalty', 'Loyalty programme'], ['Pipeline', 'Development pipeline'], ['Tasks', 'Tasks and reminders'],
      ['Settings', 'Settings']]) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    }
    await page.goto('/#/analytics/rfm');
    await expect(page.locator('svg').first()).toBeVisible();
    await page.goto('/#/analytics/abc');
    await expect(page.locator('svg').first()).toBeVisible();
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await addCustomer(page, { name: 'Policy Pat', tags: 'csp' });
    await page.getByRole('row').filter({ hasText: 'Policy Pat' }).getByRole('link').first().click();
    await expect(page.getByRole('heading', { name: 'Policy Pat', level: 1 })).toBeVisible();
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await expect(page.getByRole('heading', { name: 'Policy Pat', level: 1 })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Policy Pat', level: 1 })).toBeVisible();
    await page.evaluate(async () => navigator.serviceWorker.ready);

    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    const origin = new URL(page.url()).origin;
    const outside = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    expect(outside).toEqual([]);
    expect(requests.length).toBeGreaterThan(5);
  });
});
