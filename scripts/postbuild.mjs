// After Trunk's build: makes the output installable and strict, and writes the one-file edition.
// Trunk runs it as its post_build hook (Trunk.toml) on the staging folder, so `trunk build` and
// `trunk serve` both give the finished app; by hand: node scripts/postbuild.mjs [folder]
// 1. Moves Trunk's inline start-up script into a file (boot-<hash>.js), so index.html's
//    Content-Security-Policy needs no inline script at all.
// 2. Writes dist/sw.js from assets/sw.js with the list of every built file (hashed names) and a
//    version derived from their contents: a new build is a new service worker, an unchanged one
//    is not.
// 3. Writes dist/kehu.html: CSS, JS glue and the gzipped Wasm (base64) in one file that runs from
//    file://, with its own CSP that allows exactly its one inline script and style by hash.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';
const swTemplate = new URL('../assets/sw.js', import.meta.url);
const read = (f) => readFileSync(join(dist, f));
const sha = (alg, data, enc = 'hex') => createHash(alg).update(data).digest(enc);
const fail = (msg) => { console.error(`postbuild: ${msg}`); process.exit(1); };

let html = read('index.html').toString();

// --- 1. the start-up script, out of the page --------------------------------------------------
const inline = /<script type="module">([\s\S]*?)<\/script>/.exec(html);
if (!inline) fail('no inline <script type="module"> from Trunk in index.html (was postbuild run twice?)');
const boot = inline[1].trim() + '\n';
const glueName = /from '\.\/([^']+\.js)'/.exec(boot)?.[1];
const wasmName = /module_or_path: '\.\/([^']+\.wasm)'/.exec(boot)?.[1];
if (!glueName || !wasmName) fail(`cannot find the glue and wasm names in Trunk's script:\n${boot}`);
for (const f of readdirSync(dist)) if (/^boot-[0-9a-f]+\.js$/.test(f)) unlinkSync(join(dist, f));
const bootName = `boot-${sha('sha256', boot).slice(0, 16)}.js`;
writeFileSync(join(dist, bootName), boot);
const bootIntegrity = `sha384-${sha('sha384', boot, 'base64')}`;
html = html.replace(inline[0],
  `<script type="module" src="./${bootName}" integrity="${bootIntegrity}" crossorigin="anonymous"></script>`);
writeFileSync(join(dist, 'index.html'), html);

// --- 2. the service worker --------------------------------------------------------------------
const GENERATED = new Set(['sw.js', 'kehu.html']);
const walk = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  if (name.startsWith('.')) return [];
  return statSync(path).isDirectory() ? walk(path) : [relative(dist, path).split(sep).join('/')];
});
const files = walk(dist).filter((f) => !GENERATED.has(f)).sort();
const version = sha('sha256', Buffer.concat(files.flatMap((f) => [Buffer.from(`${f}\0`), read(f)]))).slice(0, 16);
const template = readFileSync(swTemplate, 'utf8');
if (!template.includes("'__KEHU_VERSION__'") || !template.includes('/* __KEHU_FILES__ */ []')) {
  fail('assets/sw.js lost its __KEHU_VERSION__ or __KEHU_FILES__ placeholder');
}
const sw = template
  .replace("'__KEHU_VERSION__'", JSON.stringify(version))
  .replace('/* __KEHU_FILES__ */ []', JSON.stringify(files, null, 2));
writeFileSync(join(dist, 'sw.js'), sw);

// --- 3. the one-file edition ------------------------------------------------------------------
const cssFiles = [...html.matchAll(/<link rel="stylesheet" href="\.\/([^"]+\.css)"/g)].map((m) => m[1]);
if (cssFiles.length === 0) fail('no stylesheet links in index.html');
const css = cssFiles.map((f) => read(f).toString()).join('\n');
const glue = read(glueName).toString();
if (!glue.includes('async function __wbg_init(')) fail(`${glueName} has no __wbg_init (wasm-bindgen changed?)`);
const wasmGz = gzipSync(read(wasmName), { level: 9 });
const script = `${glue.replace(/<\/script/gi, '<\\/script')}
// Kehu one-file edition: the Wasm below is gzipped and base64-encoded; inflate it and start.
const wasmGzBase64 = "${wasmGz.toString('base64')}";
const gz = Uint8Array.from(atob(wasmGzBase64), (c) => c.charCodeAt(0));
const wasmBytes = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
await __wbg_init({ module_or_path: wasmBytes });
`;
const icon = read('icon.svg').toString().trim();
const meta = (name) => new RegExp(`<meta name="${name}"[^>]*>`).exec(html)?.[0] ?? '';
const csp = [
  "default-src 'none'",
  `script-src 'sha256-${sha('sha256', script, 'base64')}' 'wasm-unsafe-eval'`,
  `style-src 'sha256-${sha('sha256', css, 'base64')}'`,
  "style-src-attr 'unsafe-inline'",
  'img-src data: blob:',
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
const oneFile = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    ${meta('color-scheme')}
    ${meta('description')}
    <title>Kehu 客户</title>
    <link rel="icon" type="image/svg+xml" href="data:image/svg+xml;base64,${Buffer.from(icon).toString('base64')}">
    <style>${css}</style>
  </head>
  <body>
    <noscript>Kehu needs JavaScript and WebAssembly to run. 客户 Kehu 需要启用 JavaScript 和 WebAssembly。</noscript>
    <script type="module">${script}</script>
  </body>
</html>
`;
writeFileSync(join(dist, 'kehu.html'), oneFile);
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`postbuild: ${files.length} files precached (version ${version}); ` +
  `kehu.html ${kb(oneFile.length)} (wasm ${kb(read(wasmName).length)}, gzipped ${kb(wasmGz.length)})`);
