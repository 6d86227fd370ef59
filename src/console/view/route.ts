// Hash routes of the single page: `#/profiles/baseline?tab=yaml`. Linkable, and the token in the query
// string (`?token=`) is never part of them.

export interface Route {
  /** `['profiles', 'baseline']`; empty for the overview. */
  segments: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const path = q >= 0 ? text.slice(0, q) : text;
  const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { segments, params: new URLSearchParams(q >= 0 ? text.slice(q + 1) : '') };
}

export function routeHash(segments: readonly string[], params?: Record<string, string>): string {
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  const query = params && Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : '';
  return `#/${path}${query}`;
}
