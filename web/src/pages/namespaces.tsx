// Namespaces: filterable, paginated (a cluster may have thousands).
import { useState } from 'preact/hooks';
import type { Snapshot } from '../../../src/console/view/snapshot.js';
import { matchesFilter } from '../../../src/console/view/paginate.js';
import { targetingOf, type CheckedProfile } from '../../../src/console/view/profiles.js';
import { routeHash } from '../../../src/console/view/route.js';
import { Badge, Card, Labels, Pager } from '../components.js';

export function NamespacesPage(props: { state: Snapshot; profiles: CheckedProfile[] }) {
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const items = props.state.namespaces.filter((ns) => matchesFilter(filter, [ns.name, ...Object.entries(ns.labels).map(([k, v]) => `${k}=${v}`)]));
  const counts = new Map<string, number>();
  for (const p of props.state.policies) counts.set(p.metadata.namespace, (counts.get(p.metadata.namespace) ?? 0) + 1);
  return (
    <div class="page" id="namespaces-page">
      <h1>Namespaces</h1>
      <div class="field">
        <label for="ns-filter">Filter by name or label</label>
        <input
          id="ns-filter"
          value={filter}
          placeholder="shop tier=apps"
          onInput={(e) => {
            setFilter((e.target as HTMLInputElement).value);
            setPage(0);
          }}
        />
      </div>
      <Card title={`${items.length} of ${props.state.namespaces.length} namespaces`}>
        <Pager
          items={items}
          size={50}
          page={page}
          onPage={setPage}
          label="namespaces"
          render={(ns) => {
            const targeted = targetingOf(ns, props.profiles).filter((t) => t.targeted);
            return (
              <div class="row" key={ns.name} data-namespace={ns.name}>
                <a href={routeHash(['namespace', ns.name])}>{ns.name}</a> <Labels labels={ns.labels} /> <span class="muted">{counts.get(ns.name) ?? 0} policies</span>{' '}
                {targeted.length === 0 ? <Badge kind="warn">no profile</Badge> : targeted.map((t) => <Badge kind="info" key={t.profile}>{t.profile}</Badge>)}
              </div>
            );
          }}
        />
      </Card>
    </div>
  );
}
