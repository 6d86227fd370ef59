// Who may talk to the console, decided per request before any handler runs (pure, tested as a table):
// - the Host header must be one this server answers to (no DNS rebinding from a web page);
// - every request carries the token: in the URL (`?token=`), the X-Console-Token header, or the cookie
//   the first page load sets (as Jupyter does);
// - a write (anything but GET/HEAD) is refused in --read-only mode, and otherwise needs an Origin equal
//   to this server and the X-Console-CSRF header with the per-process CSRF token.
import { tokensEqual } from './token.js';

/** Cookies are not per port: each console names its cookie after its port, so two consoles coexist. */
export const tokenCookie = (port: number): string => `segmentation_console_token_${port}`;
export const TOKEN_HEADER = 'x-console-token';
export const CSRF_HEADER = 'x-console-csrf';

export interface GuardConfig {
  token: string;
  csrf: string;
  /** Name of the cookie that carries the token (tokenCookie(port)). */
  cookie: string;
  readOnly: boolean;
  /** `host:port` values accepted in the Host header (lower case); 'any' when bound to every address. */
  hosts: ReadonlySet<string> | 'any';
}

export interface GuardRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type Decision = { ok: true; write: boolean } | { ok: false; status: 401 | 403; reason: string };

const header = (req: GuardRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function isWrite(method: string): boolean {
  return !['GET', 'HEAD'].includes(method.toUpperCase());
}

export function checkRequest(req: GuardRequest, cfg: GuardConfig): Decision {
  const host = header(req, 'host')?.toLowerCase();
  if (!host || (cfg.hosts !== 'any' && !cfg.hosts.has(host))) return { ok: false, status: 403, reason: `host ${JSON.stringify(host ?? '')} is not this console` };
  const url = new URL(req.url, `http://${host}`);
  const given = url.searchParams.get('token') ?? header(req, TOKEN_HEADER) ?? cookieValue(header(req, 'cookie'), cfg.cookie);
  if (!tokensEqual(given ?? undefined, cfg.token)) return { ok: false, status: 401, reason: 'missing or wrong token: open the URL the console printed' };
  if (!isWrite(req.method)) return { ok: true, write: false };
  if (cfg.readOnly) return { ok: false, status: 403, reason: 'the console runs with --read-only: writes are refused' };
  const origin = header(req, 'origin');
  if (origin !== `http://${host}`) return { ok: false, status: 403, reason: `cross-origin write refused (Origin ${JSON.stringify(origin ?? '')})` };
  if (!tokensEqual(header(req, CSRF_HEADER), cfg.csrf)) return { ok: false, status: 403, reason: `write without the ${CSRF_HEADER} header refused` };
  return { ok: true, write: true };
}
