// Small shared pieces. Everything from the cluster is rendered as text children: Preact escapes them.
import type { ComponentChildren } from 'preact';
import { paginate } from '../../src/console/view/paginate.js';

export function Pager<T>(props: { items: readonly T[]; size: number; page: number; onPage: (p: number) => void; label: string; render: (item: T) => ComponentChildren }) {
  const page = paginate(props.items, props.page, props.size);
  return (
    <div class="pager">
      {page.items.map(props.render)}
      {page.pages > 1 && (
        <nav class="pages" aria-label={`${props.label} pages`}>
          <button type="button" disabled={page.page === 0} onClick={() => props.onPage(page.page - 1)}>
            ‹ Previous
          </button>
          <span>
            page {page.page + 1} of {page.pages} ({page.total} {props.label})
          </span>
          <button type="button" disabled={page.page >= page.pages - 1} onClick={() => props.onPage(page.page + 1)}>
            Next ›
          </button>
        </nav>
      )}
    </div>
  );
}

export function Badge(props: { kind: 'ok' | 'bad' | 'warn' | 'info'; children: ComponentChildren }) {
  return <span class={`badge ${props.kind}`}>{props.children}</span>;
}

export function Labels(props: { labels: Record<string, string> | undefined }) {
  const entries = Object.entries(props.labels ?? {});
  if (entries.length === 0) return <span class="muted">no labels</span>;
  return (
    <span class="labels">
      {entries.map(([k, v]) => (
        <code class="label" key={k}>
          {k}={v}
        </code>
      ))}
    </span>
  );
}

export function Card(props: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={props.id} aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
