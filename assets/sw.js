// Kehu's service worker: keeps the built app in a cache so it starts with the network off.
// scripts/postbuild.mjs writes dist/sw.js from this file, filling in VERSION and FILES (every
// built file, with Trunk's hashed names). Never edit dist/sw.js by hand.
//
// Updates are explicit: a new version installs next to the running one and waits; the page shows
// "A new version is ready — Reload" and sends 'kehu-skip-waiting' only when the user clicks.
// Records live in IndexedDB, which this worker never touches.
const VERSION = '__KEHU_VERSION__';
const FILES = /* __KEHU_FILES__ */ [];

// Cache names carry the scope: two copies of Kehu on one host (e.g. /a/ and /b/) share the
// origin's cache storage but never remove each other's caches.
const PREFIX = `kehu:${self.registration.scope}:`;
const CACHE = PREFIX + VERSION;
const url = (file) => new URL(file, self.location.href).href;
const SHELL = url('index.html');
const SHELL_PATHS = new Set([url('./'), SHELL]);

self.addEventListener('install', (event) => {
  // cache: 'no-cache' revalidates with the server, so the files stored are the ones of this
  // version, yet an unchanged file already in the HTTP cache is not downloaded again.
  event.waitUntil(caches.open(CACHE).then((cache) =>
    cache.addAll(FILES.map((file) => new Request(url(file), { cache: 'no-cache' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys
    .filter((key) => key.startsWith(PREFIX) && key !== CACHE)
    .map((key) => caches.delete(key)))));
});

self.addEventListener('message', (event) => {
  if (event.data === 'kehu-skip-waiting') self.skipWaiting();
  if (event.data === 'kehu-version' && event.source) event.source.postMessage({ kehuVersion: VERSION });
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const target = new URL(request.url);
  if (target.origin !== self.location.origin) return;
  target.hash = '';
  target.search = '';
  // Opening the app (any visit to its folder or index.html, whatever the #/route) gets the
  // cached page of this version; its files then come from the same cache.
  const key = request.mode === 'navigate' && SHELL_PATHS.has(target.href) ? SHELL : target.href;
  event.respondWith(caches.open(CACHE)
    .then((cache) => cache.match(key))
    .then((hit) => hit || fetch(request)));
});
