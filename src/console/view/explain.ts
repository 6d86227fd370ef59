// The Explain page's query (linkable: `#/explain?from=shop/app=web&to=shop/app=db&port=5432`) and its
// answer, through the same parsing and evaluator as `segmentation explain`.
import { parseEndpointSpec, parsePortSpec, resolveEndpoint, resolveTraffic } from '../../analysis/endpoint.js';
import { explainConnection, type Explanation } from '../../analysis/explain.js';
import type { ClusterModel } from '../../analysis/model.js';

export interface ExplainQuery {
  from: string;
  to: string;
  port: string;
}

export function queryToHash(q: ExplainQuery): string {
  return `#/explain?${new URLSearchParams({ from: q.from, to: q.to, port: q.port }).toString()}`;
}

export function queryFromParams(params: URLSearchParams): ExplainQuery {
  return { from: params.get('from') ?? '', to: params.get('to') ?? '', port: params.get('port') ?? '' };
}

/** Namespaces whose policies decide the flow (for modelFor); empty when an end does not parse. */
export function namespacesOf(q: ExplainQuery): string[] {
  const out: string[] = [];
  for (const text of [q.from, q.to]) {
    const spec = parseEndpointSpec(text);
    if (spec.ok && spec.value.kind !== 'ip') out.push(spec.value.namespace);
  }
  return out;
}

export type ExplainAnswer = { ok: true; explanation: Explanation } | { ok: false; field: keyof ExplainQuery; error: string };

export function explainQuery(model: ClusterModel, q: ExplainQuery): ExplainAnswer {
  const ends = [] as Array<ReturnType<typeof resolveEndpoint> & { ok: true }>;
  const notes: string[] = [];
  for (const field of ['from', 'to'] as const) {
    if (q[field].trim() === '') return { ok: false, field, error: 'required: ns/pod, ns/label=value or an IP address' };
    const spec = parseEndpointSpec(q[field]);
    if (!spec.ok) return { ok: false, field, error: spec.error };
    const resolved = resolveEndpoint(model, spec.value);
    if (!resolved.ok) return { ok: false, field, error: resolved.error };
    if (resolved.value.note) notes.push(resolved.value.note);
    ends.push(resolved);
  }
  if (q.port.trim() === '') return { ok: false, field: 'port', error: 'required: 5432, 53/UDP or a port name' };
  const port = parsePortSpec(q.port);
  if (!port.ok) return { ok: false, field: 'port', error: port.error };
  const traffic = resolveTraffic(port.value, ends[1]!.value.endpoint);
  if (!traffic.ok) return { ok: false, field: 'port', error: traffic.error };
  return { ok: true, explanation: explainConnection(model, ends[0]!.value.endpoint, ends[1]!.value.endpoint, traffic.value, notes) };
}
