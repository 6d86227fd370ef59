// Independent write count: kube-apiserver's own apiserver_request_total, read from GET /metrics.
// Mutating verbs as the API server reports them (server-side apply is reported as APPLY).
import type { KubeConfig } from '@kubernetes/client-node';
import { getText } from './kube.js';

export const MUTATING_VERBS = ['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION'] as const;

export interface RequestSample {
  labels: Record<string, string>;
  value: number;
}

/** Parses the apiserver_request_total series from Prometheus text exposition. */
export function parseRequestTotals(text: string): RequestSample[] {
  const out: RequestSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const close = line.lastIndexOf('}');
    const labels: Record<string, string> = {};
    for (const m of line.slice('apiserver_request_total{'.length, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    out.push({ labels, value: Number(line.slice(close + 1).trim().split(/\s+/)[0]) });
  }
  return out;
}

export interface WriteTotals {
  /** Mutating requests on networkpolicies (any code). */
  networkpolicies: number;
  /** Mutating requests on segmentationprofiles/status. */
  profileStatus: number;
  /** Mutating requests on every resource, for context. */
  all: number;
}

export function writeTotals(samples: readonly RequestSample[]): WriteTotals {
  const totals: WriteTotals = { networkpolicies: 0, profileStatus: 0, all: 0 };
  for (const s of samples) {
    if (!(MUTATING_VERBS as readonly string[]).includes(s.labels.verb ?? '')) continue;
    totals.all += s.value;
    if (s.labels.resource === 'networkpolicies' && !s.labels.subresource) totals.networkpolicies += s.value;
    if (s.labels.resource === 'segmentationprofiles' && s.labels.subresource === 'status') totals.profileStatus += s.value;
  }
  return totals;
}

export async function readWriteTotals(kc: KubeConfig): Promise<WriteTotals> {
  return writeTotals(parseRequestTotals(await getText(kc, '/metrics')));
}

export function diffTotals(after: WriteTotals, before: WriteTotals): WriteTotals {
  return { networkpolicies: after.networkpolicies - before.networkpolicies, profileStatus: after.profileStatus - before.profileStatus, all: after.all - before.all };
}

/** kube-apiserver's process_cpu_seconds_total (CPU it has used since it started). */
export async function apiserverCpuSeconds(kc: KubeConfig): Promise<number> {
  const line = (await getText(kc, '/metrics')).split('\n').find((l) => l.startsWith('process_cpu_seconds_total '));
  return line ? Number(line.split(/\s+/)[1]) : Number.NaN;
}

/** Requests by "VERB resource[/subresource]" (all codes), for explaining where the API server's time went. */
export function requestCounts(samples: readonly RequestSample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const key = `${s.labels.verb ?? '?'} ${s.labels.resource ?? '?'}${s.labels.subresource ? `/${s.labels.subresource}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

export async function readRequestCounts(kc: KubeConfig): Promise<Map<string, number>> {
  return requestCounts(parseRequestTotals(await getText(kc, '/metrics')));
}

/** The `top` largest increases between two readings, as "VERB resource" -> count. */
export function topDiff(after: Map<string, number>, before: Map<string, number>, top = 10): Record<string, number> {
  const diffs = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, v]) => v > 0);
  diffs.sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(diffs.slice(0, top));
}
