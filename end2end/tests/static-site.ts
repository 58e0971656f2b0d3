import { createServer, Server } from 'node:http';
import { cpSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize, extname, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
};

/// A tiny static host on 127.0.0.1 (a free port) that serves a copy of dist/ under a sub-path,
/// answers 404 for anything outside it, and remembers every path asked for.
export interface StaticSite {
  /// e.g. http://127.0.0.1:40123/
  origin: string;
  /// The app's address, e.g. http://127.0.0.1:40123/shop/kehu/
  url: string;
  /// The folder served (a copy: a test may change it to make a "new version").
  root: string;
  /// Every request as "STATUS /path".
  log: string[];
  close(): Promise<void>;
}

export async function serveCopy(dist: string, copyTo: string, prefix = '/shop/kehu/'): Promise<StaticSite> {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} has no index.html: run scripts/build.sh first`);
  cpSync(dist, copyTo, { recursive: true });
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let status = 404;
    let body: Buffer | string = 'not found';
    let type = 'text/plain';
    if (path.startsWith(prefix)) {
      let rel = normalize(path.slice(prefix.length) || 'index.html');
      if (rel.endsWith(sep) || rel === '.') rel = join(rel, 'index.html');
      const file = join(copyTo, rel);
      if (file.startsWith(copyTo) && existsSync(file) && statSync(file).isFile()) {
        status = 200;
        body = readFileSync(file);
        type = TYPES[extname(file)] ?? 'application/octet-stream';
      }
    }
    log.push(`${status} ${path}`);
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}/`;
  return {
    origin, url: `http://127.0.0.1:${port}${prefix}`, root: copyTo, log,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
