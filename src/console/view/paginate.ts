// Filtering and paging long lists (2,000 namespaces, 20,000 policies) so a page renders a few dozen rows.

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
}

/** Page `page` (0-based, clamped) of `items`, `size` per page. */
export function paginate<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(p * size, (p + 1) * size), page: p, pages, total: items.length };
}

/** Case-insensitive match of every whitespace-separated word against any of the texts. */
export function matchesFilter(filter: string, texts: readonly string[]): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = texts.join('\n').toLowerCase();
  return words.every((w) => hay.includes(w));
}
