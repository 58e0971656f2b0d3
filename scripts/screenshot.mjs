// Takes docs/screenshot.png: the customer list with the small-shop demo, in Chinese.
// Usage: node scripts/screenshot.mjs   (after scripts/build.sh; serves dist/ on 127.0.0.1:8124)
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';

const server = spawn('python3', ['-m', 'http.server', '8124', '--bind', '127.0.0.1', '--directory', 'dist'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
  await page.goto('http://127.0.0.1:8124/#/data');
  await page.getByRole('button', { name: '加载演示数据' }).click();
  await page.getByText(/演示数据已加载/).waitFor({ timeout: 60_000 });
  await page.getByRole('link', { name: '客户', exact: true }).click();
  await page.getByRole('searchbox').fill('VIP');
  await page.getByRole('row').nth(3).waitFor();
  await page.waitForTimeout(5500); // let the toast fade
  await page.screenshot({ path: 'docs/screenshot.png' });
} finally {
  await browser.close();
  server.kill();
}
