// Talking to the console server: the token from the page's URL on every request, the CSRF token on writes.
import type { ApplyResult, Snapshot } from '../../src/console/view/snapshot.js';

export interface Session {
  csrf: string;
  readOnly: boolean;
  mode: 'live' | 'offline';
  source: string;
}

const token = new URLSearchParams(location.search).get('token') ?? '';
let csrf = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { 'x-console-token': token, ...(body !== undefined ? { 'content-type': 'application/json', 'x-console-csrf': csrf } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const value = (await res.json()) as T & { error?: string };
  if (!res.ok && !(method === 'POST' && 'outcome' in value)) throw new Error(value.error ?? `${res.status} ${res.statusText}`);
  return value;
}

export async function getSession(): Promise<Session> {
  const s = await call<Session>('GET', '/api/session');
  csrf = s.csrf;
  return s;
}

export const getState = (): Promise<Snapshot> => call<Snapshot>('GET', '/api/state');

export const applyProfile = (profile: unknown, dryRun: boolean): Promise<ApplyResult> => call<ApplyResult>('POST', '/api/profiles/apply', { profile, dryRun });
