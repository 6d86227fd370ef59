// The console's HTTP server: static bundle and a small JSON API, every request through the guard first.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { defaultAssetDir, loadAssets, type Asset } from './assets.js';
import { checkRequest, tokenCookie, type GuardConfig } from './guard.js';
import type { ConsoleSource } from './source.js';
import { newToken } from './token.js';

export interface ConsoleOptions {
  source: ConsoleSource;
  address?: string;
  port?: number;
  readOnly?: boolean;
  assetDir?: string;
  /** Fixed tokens for tests; random otherwise. */
  token?: string;
}

export interface RunningConsole {
  url: string;
  origin: string;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_BODY = 1024 * 1024;

export function isLoopback(address: string): boolean {
  return LOOPBACK.has(address) || address.startsWith('127.');
}

const applyRequest = z.strictObject({ profile: z.unknown(), dryRun: z.boolean().default(false) });

// The page loads only its own files and talks only to this server; nothing inline can run.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hostsFor(address: string, port: number): Set<string> | 'any' {
  // Bound to every address, the server cannot know the names it is reached by; the token still guards it.
  if (address === '0.0.0.0' || address === '::') return 'any';
  const names = isLoopback(address) ? ['127.0.0.1', 'localhost', '[::1]', address.includes(':') ? `[${address}]` : address] : [address.includes(':') ? `[${address}]` : address];
  return new Set(names.map((h) => `${h.toLowerCase()}:${port}`));
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const address = options.address ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const csrf = newToken();
  const readOnly = options.readOnly ?? false;
  const assets = await loadAssets(options.assetDir ?? defaultAssetDir());
  let guard: GuardConfig | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const decision = checkRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, guard!);
    if (!decision.ok) return json(res, decision.status, { error: decision.reason });
    const url = new URL(req.url ?? '/', 'http://console');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /' || route === 'GET /index.html') {
      const index = assets.get('index.html');
      if (!index) return send(res, 500, 'the console bundle is not built: run `npm run build`', 'text/plain; charset=utf-8');
      // The token moves into a cookie for the page's own requests (scripts, styles, API).
      return send(res, 200, index.body, index.type, { 'set-cookie': `${guard!.cookie}=${token}; HttpOnly; SameSite=Strict; Path=/` });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/assets/')) {
      const asset: Asset | undefined = assets.get(url.pathname.slice('/assets/'.length));
      if (!asset) return json(res, 404, { error: 'not found' });
      return send(res, 200, asset.body, asset.type);
    }
    if (route === 'GET /api/session') return json(res, 200, { csrf, readOnly, mode: options.source.mode, source: options.source.description });
    if (route === 'GET /api/state') return json(res, 200, { ...(await options.source.load()), readOnly });
    if (route === 'POST /api/profiles/apply') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req)) || '{}');
      } catch (err) {
        return json(res, 400, { error: `request body: ${(err as Error).message}` });
      }
      const parsed = applyRequest.safeParse(body);
      if (!parsed.success) return json(res, 400, { error: parsed.error.issues.map((i) => i.message).join('; ') });
      const result = await options.source.applyProfile(parsed.data.profile, parsed.data.dryRun);
      const status = { applied: 200, 'dry-run': 200, conflict: 409, invalid: 422, forbidden: 403, offline: 409, error: 502 }[result.outcome];
      return json(res, status, result);
    }
    return json(res, 404, { error: `no route ${route}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String((err as Error).message ?? err).split('\n')[0] });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  guard = { token, csrf, cookie: tokenCookie(port), readOnly, hosts: hostsFor(address, port) };
  const host = address.includes(':') ? `[${address}]` : address;
  const origin = `http://${host}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
