// One namespace: which profile targets it and why, its policies (managed and user-owned, each with its
// YAML), and the connectivity matrix of its workloads; a cell explains that flow.
import { useMemo, useState } from 'preact/hooks';
import { stringify } from 'yaml';
import type { Snapshot } from '../../../src/console/view/snapshot.js';
import { modelFor } from '../../../src/console/view/cluster-subset.js';
import { explainQuery, queryToHash, type ExplainQuery } from '../../../src/console/view/explain.js';
import { namespaceMatrix } from '../../../src/console/view/matrix.js';
import { targetingOf, type CheckedProfile } from '../../../src/console/view/profiles.js';
import { routeHash } from '../../../src/console/view/route.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, PROFILE_LABEL } from '../../../src/compile/labels.js';
import { Badge, Card, Labels } from '../components.js';
import { ConnectivityDiagram } from './diagram.js';
import { ExplainResult } from './explain-result.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

export function NamespacePage(props: { state: Snapshot; profiles: CheckedProfile[]; name: string; params: URLSearchParams }) {
  const { state, name } = props;
  const ns = state.namespaces.find((n) => n.name === name);
  const [port, setPort] = useState(props.params.get('port') ?? '80');
  const [protocol, setProtocol] = useState<(typeof PROTOCOLS)[number]>((props.params.get('protocol') as 'TCP') ?? 'TCP');
  const [selected, setSelected] = useState<ExplainQuery>();
  const targeting = ns ? targetingOf(ns, props.profiles) : [];
  const policies = state.policies.filter((p) => p.metadata.namespace === name);
  const dnsProfile = props.profiles.find((p) => targeting.some((t) => t.targeted && t.profile === p.check.profile?.metadata.name))?.check.profile;
  const dns = dnsProfile ? { namespace: dnsProfile.spec.dns.namespace, labels: { ...(dnsProfile.spec.dns.podSelector.matchLabels ?? {}) } } : undefined;
  const model = useMemo(() => modelFor(state, [name, dns?.namespace ?? 'kube-system']), [state, name, dns?.namespace]);
  const portNumber = Number(port);
  const portOk = Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535;
  const matrix = useMemo(() => (portOk ? namespaceMatrix(model, name, { port: portNumber, protocol, ...(dns ? { dns } : {}) }) : undefined), [model, portNumber, protocol, portOk]);
  if (!ns) return <p class="banner bad">Namespace {name} is not in the cluster (or the files).</p>;
  const answer = selected ? explainQuery(modelFor(state, [name, ...(selected.to.includes('/') ? [selected.to.split('/')[0]!] : [])]), selected) : undefined;
  return (
    <div class="page" id="namespace-page">
      <h1>
        Namespace <span class="name">{name}</span>
      </h1>
      <p>
        <Labels labels={ns.labels} />
      </p>
      <Card title="Targeted by">
        {targeting.length === 0 && <p class="muted">No valid profile.</p>}
        <ul>
          {targeting.map((t) => (
            <li key={t.profile}>
              <a href={routeHash(['profile', t.profile])}>{t.profile}</a> ({t.mode}): {t.targeted ? <Badge kind="ok">targets it</Badge> : <Badge kind="warn">does not</Badge>} {t.reason}
            </li>
          ))}
        </ul>
      </Card>
      <Card title={`NetworkPolicies (${policies.length})`} id="ns-policies">
        {policies.map((p) => {
          const managed = p.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
          return (
            <details key={p.metadata.name} class="policy" data-policy={p.metadata.name}>
              <summary>
                <code>{p.metadata.name}</code> {managed ? <Badge kind="info">managed by profile {p.metadata.labels?.[PROFILE_LABEL] ?? '?'}</Badge> : <Badge kind="warn">user-owned</Badge>}
              </summary>
              <pre>{stringify({ metadata: p.metadata, spec: p.spec }, { lineWidth: 0 })}</pre>
            </details>
          );
        })}
      </Card>
      <Card title="Connectivity matrix" id="matrix">
        <form class="inline" onSubmit={(e) => e.preventDefault()}>
          <label for="matrix-port">Port</label>
          <input id="matrix-port" class="short" value={port} onInput={(e) => setPort((e.target as HTMLInputElement).value)} />
          <label for="matrix-protocol">Protocol</label>
          <select id="matrix-protocol" value={protocol} onChange={(e) => setProtocol((e.target as HTMLSelectElement).value as 'TCP')}>
            {PROTOCOLS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
          {!portOk && <small class="error">port must be 1-65535</small>}
        </form>
        {matrix && matrix.rows.length === 0 && <p class="muted">No pods in this namespace: nothing to evaluate. Use Explain with labels (ns/app=web) for hypothetical pods.</p>}
        {matrix && matrix.rows.length > 0 && (
          <div class="scroll">
            <table class="matrix">
              <thead>
                <tr>
                  <th>from \ to</th>
                  {matrix.columns.map((c) => (
                    <th key={c.label} class={`col-${c.kind}`}>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {matrix.rows.map((row, r) => (
                  <tr key={row.label}>
                    <th>
                      {row.label} <span class="muted">({row.pods.length})</span>
                    </th>
                    {matrix.cells[r]!.map((cell, c) => (
                      <td key={c}>
                        <button
                          type="button"
                          class={`cell ${cell.verdict}`}
                          aria-label={`${row.label} to ${matrix.columns[c]!.label}: ${cell.verdict}`}
                          title={cell.verdict === 'denied' ? `denied by ${cell.deniedBy.join(' and ')}` : 'allowed'}
                          onClick={() => setSelected(cell.query)}
                        >
                          {cell.verdict === 'allowed' ? '✓' : '✗'}
                        </button>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {matrix && matrix.rows.length > 0 && (
          <details class="diagram-box" open>
            <summary>Diagram: allowed flows as arrows (click one to explain it)</summary>
            <ConnectivityDiagram view={matrix} onSelect={setSelected} />
          </details>
        )}
        {answer && (
          <div class="cell-explain" id="cell-explain">
            {answer.ok ? <ExplainResult explanation={answer.explanation} /> : <p class="error">{answer.error}</p>}
            {selected && <a href={queryToHash(selected)}>Open in Explain</a>}
          </div>
        )}
      </Card>
    </div>
  );
}
