// API errors as values with the fields callers decide on.
import { STATUS_CODES } from 'node:http';

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    /** metav1.Status reason, e.g. AlreadyExists, NotFound, Conflict, Forbidden, Expired. */
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}: ${message}`);
    this.name = 'KubeApiError';
  }
}

/** A failure in a few words for a one-line message: `HTTP 403 Forbidden` for an API error, else the first line of its message. */
export function failureReason(err: unknown): string {
  if (err instanceof KubeApiError) return `HTTP ${err.statusCode} ${err.reason}`;
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

/** The error for an answer with status >= 400: reason and message from its metav1.Status when it is one. */
export function apiErrorFrom(status: number, text: string, method: string, path: string): KubeApiError {
  let reason = STATUS_CODES[status] ?? 'Error';
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    if (parsed.reason) reason = parsed.reason;
    if (parsed.message) message = parsed.message;
  } catch {
    // not a metav1.Status
  }
  return new KubeApiError(status, reason, message, method, path);
}

/** No response (headers and body) within the request's timeout; nothing is known about its effect. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${path}: no response within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** A write refused (or cancelled in flight) because this process no longer holds the leader's lease. */
export class WriteFencedError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: not sent, this instance is not the leader`);
    this.name = 'WriteFencedError';
  }
}

export function statusCodeOf(err: unknown): number | undefined {
  if (err instanceof KubeApiError) return err.statusCode;
  const e = err as { statusCode?: unknown; code?: unknown } | undefined;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.code === 'number') return e.code;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;

/** 409 AlreadyExists (create of a name that exists), as opposed to a resourceVersion conflict. */
export const isAlreadyExists = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';

/** 403 "unable to create new content in namespace X because it is being terminated". */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof KubeApiError && err.statusCode === 403 && /being terminated/.test(err.message);
}
