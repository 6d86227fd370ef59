// Minimal HTTP(S) GET and polling, for health checks during start-up.
// (Global fetch cannot take a custom CA without undici, which is not a
// dependency; node:https can.)

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GetOptions {
  /** PEM CA bundle to trust (https only). */
  ca?: string | Buffer;
  /** Skip certificate verification (only for our own loopback processes). */
  insecure?: boolean;
  bearerToken?: string;
  timeoutMs?: number;
}

export interface GetResult {
  status: number;
  body: string;
}

export function httpGet(url: string, options: GetOptions = {}): Promise<GetResult> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'GET',
        headers: options.bearerToken ? { Authorization: `Bearer ${options.bearerToken}` } : {},
        ca: options.ca,
        rejectUnauthorized: !options.insecure,
        timeout: options.timeoutMs ?? 5_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before every attempt; a string is a reason to give up at once. */
  abortIf?: () => string | undefined;
}

/**
 * Calls `attempt` until it returns true. Rejects after `timeoutMs` (or when
 * `abortIf` names a reason) with the last failure's message.
 */
export async function waitFor(attempt: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    const abort = options.abortIf?.();
    if (abort !== undefined) throw new Error(`gave up waiting for ${options.what}: ${abort}`);
    try {
      if (await attempt()) return;
      last = 'not ready yet';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what} (last: ${last})`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}

/** Attempt function that checks `url` returns 200, remembering the last reply. */
export function expect200(url: string, options: GetOptions): () => Promise<boolean> {
  return async () => {
    const { status, body } = await httpGet(url, options);
    if (status === 200) return true;
    throw new Error(`GET ${url}: ${status} ${body.trim().split('\n').slice(-5).join(' | ')}`);
  };
}
