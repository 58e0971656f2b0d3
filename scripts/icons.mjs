// Draws the app's PNG icons from assets/icon.svg with headless Chromium, into assets/icons/.
// The PNGs are committed; run this again only when icon.svg changes:
//   node scripts/icons.mjs        (needs Debian's chromium and a CJK font, e.g. fonts-wqy-microhei)
// - icon-192.png, icon-512.png: the icon as it is (rounded square), for browsers and desktops.
// - maskable-512.png: full-bleed background, the glyph inside the central safe zone (80 %), for
//   launchers that cut their own shape.
// - apple-touch-icon.png (180): full-bleed, iOS rounds the corners itself.
import { chromium } from '@playwright/test';
import { readFileSync, mkdirSync } from 'node:fs';

const svg = readFileSync('assets/icon.svg', 'utf8');
const colour = /<rect[^>]*fill="([^"]+)"/.exec(svg)?.[1] ?? '#c2410c';
const glyph = /<text[^>]*>([^<]+)<\/text>/.exec(svg)?.[1] ?? '客';
// The same drawing, without the rounded corners and with the glyph scaled by `scale` about the centre.
const fullBleed = (scale) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="${colour}"/>
  <g transform="translate(32 32) scale(${scale}) translate(-32 -32)">
    <text x="32" y="45" font-size="38" text-anchor="middle" fill="#fff" font-family="sans-serif">${glyph}</text>
  </g></svg>`;

const icons = [
  { file: 'icon-192.png', size: 192, svg },
  { file: 'icon-512.png', size: 512, svg },
  { file: 'maskable-512.png', size: 512, svg: fullBleed(0.8) },
  { file: 'apple-touch-icon.png', size: 180, svg: fullBleed(0.9) },
];

mkdirSync('assets/icons', { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    const url = 'data:image/svg+xml;base64,' + Buffer.from(icon.svg).toString('base64');
    await page.setContent(`<style>html,body{margin:0;background:transparent}img{display:block}</style>
      <img src="${url}" width="${icon.size}" height="${icon.size}">`);
    await page.locator('img').evaluate((img) => img.decode());
    await page.screenshot({ path: `assets/icons/${icon.file}`, omitBackground: true });
    await page.close();
    console.log(`assets/icons/${icon.file} (${icon.size}×${icon.size})`);
  }
} finally {
  await browser.close();
}
