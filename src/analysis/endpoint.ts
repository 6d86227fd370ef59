// Parsing what users type for the ends of a connection and its port:
// `ns/pod`, `ns/app=web,tier=x` (a hypothetical pod with those labels), an IP; `5432`, `53/UDP`, `http`.
import { formatIp, parseIp, type IpAddress } from './cidr.js';
import { describePod, hypotheticalPod, PROTOCOLS, type ClusterModel, type Endpoint, type PodInfo, type Protocol, type Traffic } from './model.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export type EndpointSpec =
  | { kind: 'pod'; namespace: string; name: string }
  | { kind: 'labels'; namespace: string; labels: Record<string, string> }
  | { kind: 'ip'; ip: IpAddress };

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseEndpointSpec(text: string): Result<EndpointSpec> {
  const trimmed = text.trim();
  const bare = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  const ip = parseIp(bare);
  if (ip) return { ok: true, value: { kind: 'ip', ip } };
  const slash = trimmed.indexOf('/');
  if (slash <= 0) return { ok: false, error: `"${text}" is not ns/pod, ns/label=value,... or an IP address` };
  const namespace = trimmed.slice(0, slash);
  const rest = trimmed.slice(slash + 1);
  if (!NAMESPACE.test(namespace)) return { ok: false, error: `"${namespace}" in "${text}" is not a namespace name` };
  if (rest.includes('=')) {
    const labels = parseLabelList(rest);
    if (!labels) return { ok: false, error: `"${rest}" in "${text}" is not a label list like app=web,tier=x` };
    return { ok: true, value: { kind: 'labels', namespace, labels } };
  }
  if (rest === '') return { ok: false, error: `"${text}" names no pod: use ns/pod or ns/label=value` };
  return { ok: true, value: { kind: 'pod', namespace, name: rest } };
}

/** Parses `k=v,k2=v2` (the `ns/labels` endpoint syntax). Returns undefined on a malformed pair. */
export function parseLabelList(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  if (text.trim() === '') return labels;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === '' || Object.hasOwn(labels, key)) return undefined;
    labels[key] = value;
  }
  return labels;
}

export interface ResolvedEndpoint {
  endpoint: Endpoint;
  /** Said to the user, e.g. that an IP belongs to a known pod. */
  note?: string;
}

/** Finds the pod or builds the hypothetical one. An IP that is a known pod's IP becomes that pod. */
export function resolveEndpoint(model: ClusterModel, spec: EndpointSpec): Result<ResolvedEndpoint> {
  switch (spec.kind) {
    case 'ip': {
      const owner = model.pods.find((p) => !p.hostNetwork && p.ips.some((a) => a.family === spec.ip.family && a.value === spec.ip.value));
      if (owner) return { ok: true, value: { endpoint: { kind: 'pod', pod: owner }, note: `${formatIp(spec.ip)} is the IP of pod ${describePod(owner)}` } };
      return { ok: true, value: { endpoint: { kind: 'ip', ip: spec.ip } } };
    }
    case 'labels':
      return { ok: true, value: { endpoint: { kind: 'pod', pod: hypotheticalPod(spec.namespace, spec.labels) } } };
    case 'pod': {
      const pod = model.pods.find((p) => p.namespace === spec.namespace && p.name === spec.name);
      if (pod) return { ok: true, value: { endpoint: { kind: 'pod', pod } } };
      const known = model.pods.filter((p) => p.namespace === spec.namespace).map((p) => p.name);
      const hint = known.length > 0 ? `; pods in ${spec.namespace}: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''}` : `; no pods known in namespace ${spec.namespace} (pass --pods, or use ${spec.namespace}/label=value)`;
      return { ok: false, error: `pod ${spec.namespace}/${spec.name} not found${hint}` };
    }
  }
}

export interface PortSpec {
  port: number | string;
  protocol: Protocol;
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** `443`, `53/UDP`, `http`, `dns/udp`. The protocol flag is used when the text has none. */
export function parsePortSpec(text: string, defaultProtocol: string = 'TCP'): Result<PortSpec> {
  const [portText = '', protocolText, extra] = text.trim().split('/');
  if (extra !== undefined) return { ok: false, error: `"${text}" is not PORT or PORT/PROTOCOL` };
  const protocol = (protocolText ?? defaultProtocol).toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) return { ok: false, error: `protocol "${protocolText ?? defaultProtocol}" must be TCP, UDP or SCTP` };
  if (/^[0-9]+$/.test(portText)) {
    const port = Number(portText);
    if (port < 1 || port > 65535) return { ok: false, error: `port ${portText} must be between 1 and 65535` };
    return { ok: true, value: { port, protocol: protocol as Protocol } };
  }
  if (!PORT_NAME.test(portText) || !/[a-z]/.test(portText)) return { ok: false, error: `"${portText}" is neither a port number nor a port name` };
  return { ok: true, value: { port: portText, protocol: protocol as Protocol } };
}

/** A named port becomes the number the destination pod declares for it. */
export function resolveTraffic(spec: PortSpec, destination: Endpoint): Result<Traffic> {
  if (typeof spec.port === 'number') return { ok: true, value: { port: spec.port, protocol: spec.protocol } };
  const pod: PodInfo | undefined = destination.kind === 'pod' ? destination.pod : undefined;
  const found = pod?.ports.find((p) => p.name === spec.port && p.protocol === spec.protocol);
  if (found) return { ok: true, value: { port: found.port, protocol: spec.protocol } };
  const where = pod ? `pod ${describePod(pod)}` : 'an IP address';
  return { ok: false, error: `port name "${spec.port}" (${spec.protocol}) is not declared by ${where}; give a port number` };
}

/** `203.0.113.10:443`, `203.0.113.10:443/TCP`, `[fd00:ec2::254]:80`. */
export function parseAddressPort(text: string): Result<{ ip: IpAddress; port: number; protocol: Protocol }> {
  const m = /^(?:\[([^\]]+)\]|([^:/]+)):([0-9]+)(?:\/([A-Za-z]+))?$/.exec(text.trim());
  const ip = m ? parseIp(m[1] ?? m[2] ?? '') : undefined;
  if (!m || !ip) return { ok: false, error: `"${text}" is not ADDRESS:PORT[/PROTOCOL] (IPv6 in brackets: [2001:db8::1]:443)` };
  const port = parsePortSpec(`${m[3]}/${m[4] ?? 'TCP'}`);
  if (!port.ok) return port;
  return { ok: true, value: { ip, port: port.value.port as number, protocol: port.value.protocol } };
}
