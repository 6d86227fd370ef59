// The connectivity matrix: every source pod against every destination pod on one port, plus
// columns for the destinations that matter whatever the workload: cluster DNS, the instance
// metadata endpoints and an external address.
import { DEFAULT_DNS_NAMESPACE, DEFAULT_DNS_POD_LABELS } from '../api/profile.js';
import { formatIp, type IpAddress } from './cidr.js';
import { evaluateConnection, type ConnectionDecision } from './evaluate.js';
import { describePod, hypotheticalPod, type ClusterModel, type Endpoint, type PodInfo, type Protocol, type Traffic } from './model.js';
import { selectorMatches, type Labels } from '../compile/select.js';

export type ColumnKind = 'pod' | 'dns' | 'metadata' | 'external';

export interface MatrixColumn {
  /** `ns/pod`, or a short name such as `dns udp/53` or `metadata 169.254.169.254:80`. */
  id: string;
  kind: ColumnKind;
  endpoint: Endpoint;
  traffic: Traffic;
}

export interface ConnectivityMatrix {
  /** The port used for pod columns; well-known columns carry their own. */
  traffic: Traffic;
  rows: string[];
  columns: MatrixColumn[];
  /** decisions[row][column] */
  decisions: ConnectionDecision[][];
}

export interface WellKnownOptions {
  /** The DNS pods; `false` for no DNS columns. Default kube-system/k8s-app=kube-dns. */
  dns?: { namespace: string; labels: Labels } | false;
  metadata?: Array<{ ip: IpAddress; port: number; protocol?: Protocol }>;
  external?: Array<{ ip: IpAddress; port: number; protocol?: Protocol }>;
}

/** The profile's DNS defaults (spec.dns): the same pods. */
export const DEFAULT_DNS: { readonly namespace: string; readonly labels: Labels } = { namespace: DEFAULT_DNS_NAMESPACE, labels: DEFAULT_DNS_POD_LABELS };
export const DEFAULT_METADATA_ENDPOINTS = ['169.254.169.254:80', '[fd00:ec2::254]:80'] as const;
export const DEFAULT_EXTERNAL_ENDPOINTS = ['203.0.113.10:443'] as const;

function addressPort(ip: IpAddress, port: number): string {
  return ip.family === 6 ? `[${formatIp(ip)}]:${port}` : `${formatIp(ip)}:${port}`;
}

/**
 * Columns for DNS (UDP and TCP 53: large answers fall back to TCP), each metadata endpoint and
 * each external address. DNS uses a real pod from the input when one matches (its named ports
 * then resolve), else a hypothetical pod with the DNS labels.
 */
export function wellKnownColumns(model: ClusterModel, options: WellKnownOptions): MatrixColumn[] {
  const columns: MatrixColumn[] = [];
  const dns = options.dns === undefined ? DEFAULT_DNS : options.dns;
  if (dns) {
    const real = model.pods.find((p) => p.namespace === dns.namespace && selectorMatches({ matchLabels: { ...dns.labels } }, p.labels));
    const pod: PodInfo = real ?? hypotheticalPod(dns.namespace, dns.labels);
    for (const protocol of ['UDP', 'TCP'] as const) {
      columns.push({ id: `dns ${protocol.toLowerCase()}/53`, kind: 'dns', endpoint: { kind: 'pod', pod }, traffic: { port: 53, protocol } });
    }
  }
  for (const m of options.metadata ?? []) {
    columns.push({ id: `metadata ${addressPort(m.ip, m.port)}`, kind: 'metadata', endpoint: { kind: 'ip', ip: m.ip }, traffic: { port: m.port, protocol: m.protocol ?? 'TCP' } });
  }
  for (const e of options.external ?? []) {
    const protocol = e.protocol ?? 'TCP';
    const suffix = protocol === 'TCP' ? '' : `/${protocol}`;
    columns.push({ id: `external ${addressPort(e.ip, e.port)}${suffix}`, kind: 'external', endpoint: { kind: 'ip', ip: e.ip }, traffic: { port: e.port, protocol } });
  }
  return columns;
}

/** Evaluates every (source pod, column) pair. Pod columns are the same pods as the rows. */
export function buildMatrix(model: ClusterModel, pods: readonly PodInfo[], traffic: Traffic, extraColumns: readonly MatrixColumn[]): ConnectivityMatrix {
  const podColumns: MatrixColumn[] = pods.map((pod) => ({ id: describePod(pod), kind: 'pod', endpoint: { kind: 'pod', pod }, traffic }));
  const columns = [...podColumns, ...extraColumns];
  const decisions = pods.map((from) => columns.map((col) => evaluateConnection(model, { kind: 'pod', pod: from }, col.endpoint, col.traffic)));
  return { traffic, rows: pods.map(describePod), columns, decisions };
}
