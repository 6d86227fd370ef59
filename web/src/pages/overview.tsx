// Overview: is an engine enforcing, which namespaces reach a metadata endpoint, every profile with its
// status, and the namespaces no profile covers.
import { useState } from 'preact/hooks';
import type { Snapshot } from '../../../src/console/view/snapshot.js';
import { matchedNamespaces, uncoveredNamespaces, type CheckedProfile } from '../../../src/console/view/profiles.js';
import { routeHash } from '../../../src/console/view/route.js';
import { PROFILE_LABEL } from '../../../src/compile/labels.js';
import { Badge, Card, Labels, Pager } from '../components.js';

type Condition = { type: string; status: string; reason?: string; message?: string };

function conditionsOf(status: Record<string, unknown> | undefined): Condition[] {
  return Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : [];
}

export function OverviewPage(props: { state: Snapshot; profiles: CheckedProfile[] }) {
  const { state } = props;
  const [page, setPage] = useState(0);
  const uncovered = uncoveredNamespaces(state.namespaces, props.profiles);
  const exposed = state.audit.namespaces.filter((n) => n.exposed);
  return (
    <div class="page" id="overview">
      <h1>Overview</h1>
      {state.warnings.map((w) => (
        <p class="banner warn" key={w}>
          {w}
        </p>
      ))}
      <div class="grid2">
        <Card title="Policy engine (preflight)" id="preflight">
          {state.preflight === null ? (
            <p class="muted">Unknown: no pods, DaemonSets or nodes to look at.</p>
          ) : (
            <>
              <p>
                <Badge kind={state.preflight.enforced ? 'ok' : 'bad'}>{state.preflight.enforced ? 'ENFORCED' : 'NOT ENFORCED'}</Badge> {state.preflight.message}
              </p>
              <ul class="small">
                {state.preflight.evidence.slice(0, 6).map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          )}
        </Card>
        <Card title="Instance metadata (audit)" id="audit">
          <p>
            <Badge kind={exposed.length === 0 ? 'ok' : 'bad'}>{exposed.length === 0 ? 'no namespace exposed' : `${exposed.length} namespace(s) can reach ${state.audit.metadataCidrs.join(', ')}`}</Badge>
          </p>
          <ul class="small">
            {exposed.slice(0, 8).map((n) => (
              <li key={n.namespace}>
                <a href={routeHash(['namespace', n.namespace])}>{n.namespace}</a>:{' '}
                {n.openedBy.length > 0 ? `opened by ${[...new Set(n.openedBy.map((o) => o.policy))].join(', ')}` : (n.unisolated?.detail ?? 'not isolated for egress')}
              </li>
            ))}
            {exposed.length > 8 && <li class="muted">and {exposed.length - 8} more</li>}
          </ul>
        </Card>
      </div>
      <Card title={`Profiles (${state.profiles.length})`} id="profiles">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Mode</th>
              <th>Namespaces</th>
              <th>Policies</th>
              <th>Ready</th>
              <th>Conditions</th>
            </tr>
          </thead>
          <tbody>
            {props.profiles.map(({ entry, check }) => {
              const conditions = conditionsOf(entry.status);
              const ready = conditions.find((c) => c.type === 'Ready');
              const failed = Array.isArray(entry.status?.failedNamespaces) ? (entry.status.failedNamespaces as Array<{ namespace: string; reason: string }>) : [];
              const events = state.events.filter((e) => e.profile === entry.metadata.name).slice(0, 3);
              return (
                <tr key={entry.metadata.name} data-profile={entry.metadata.name}>
                  <td>
                    <a href={routeHash(['profile', entry.metadata.name])}>{entry.metadata.name}</a>
                    {check.all.length > 0 && <Badge kind="bad">invalid</Badge>}
                  </td>
                  <td>{check.profile?.spec.mode ?? String((entry.spec as { mode?: string })?.mode ?? '')}</td>
                  <td>{String(entry.status?.matchedNamespaces ?? (check.profile ? matchedNamespaces(check.profile, state.namespaces).length : '–'))}</td>
                  <td>{String(entry.status?.policies ?? state.policies.filter((p) => p.metadata.labels?.[PROFILE_LABEL] === entry.metadata.name).length)}</td>
                  <td class="ready">{ready ? <Badge kind={ready.status === 'True' ? 'ok' : 'bad'}>{ready.status === 'True' ? 'Ready' : `Not ready: ${ready.reason ?? ''}`}</Badge> : <span class="muted">{state.mode === 'offline' ? 'offline' : 'no status yet'}</span>}</td>
                  <td class="small">
                    {conditions
                      .filter((c) => c.type !== 'Ready')
                      .map((c) => (
                        <div key={c.type}>
                          {c.type}={c.status} {c.reason ? `(${c.reason})` : ''}
                        </div>
                      ))}
                    {failed.map((f) => (
                      <div class="bad-text" key={f.namespace}>
                        failed: {f.namespace} ({f.reason})
                      </div>
                    ))}
                    {events.map((e) => (
                      <div class="muted" key={`${e.time}${e.reason}`}>
                        {e.type} {e.reason}: {e.message}
                      </div>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {state.profiles.length === 0 && <p class="muted">No SegmentationProfile yet.</p>}
      </Card>
      <Card title={`Namespaces not covered by any profile (${uncovered.length} of ${state.namespaces.length})`} id="uncovered">
        <Pager
          items={uncovered}
          size={25}
          page={page}
          onPage={setPage}
          label="namespaces"
          render={(ns) => (
            <div class="row uncovered" key={ns.name}>
              <a href={routeHash(['namespace', ns.name])}>{ns.name}</a> <Labels labels={ns.labels} />
            </div>
          )}
        />
      </Card>
    </div>
  );
}
