// The browser bundle built by `npm run build` (web/build.mjs) into dist/console/web/. Found next to this
// module when running from dist/, or in dist/ when running from the sources (tsx, tests).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export function defaultAssetDir(): string {
  const candidates = [fileURLToPath(new URL('./web/', import.meta.url)), fileURLToPath(new URL('../../dist/console/web/', import.meta.url))];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

export interface Asset {
  body: Buffer;
  type: string;
}

/** Every file of the bundle, read once at start (a handful of files): no path from a URL touches the disk. */
export async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type) out.set(name, { body: await readFile(join(dir, name)), type });
  }
  return out;
}
