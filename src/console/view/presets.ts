// The AKS portal's vocabulary over the profile's allow rules: a destination is "pods in this namespace",
// "pods in other namespaces" or "an external IP block"; ports are "all ports" or a list.

export type PeerKind = 'same-namespace' | 'other-namespaces' | 'ip-block';

export const PEER_KINDS: ReadonlyArray<{ kind: PeerKind; label: string }> = [
  { kind: 'same-namespace', label: 'Pods in this namespace' },
  { kind: 'other-namespaces', label: 'Pods in other namespaces' },
  { kind: 'ip-block', label: 'External IP block' },
];

type Peer = { podSelector?: unknown; namespaceSelector?: unknown; ipBlock?: unknown };

export function peerKind(peer: Peer | undefined): PeerKind {
  if (peer?.ipBlock !== undefined) return 'ip-block';
  if (peer?.namespaceSelector !== undefined) return 'other-namespaces';
  return 'same-namespace';
}

/** The peer changed to another kind, keeping what still applies (the pod selector). */
export function withPeerKind(peer: Peer | undefined, kind: PeerKind): Peer {
  const pods = peer?.podSelector ?? {};
  switch (kind) {
    case 'same-namespace':
      return { podSelector: pods };
    case 'other-namespaces':
      return { podSelector: pods, namespaceSelector: peer?.namespaceSelector ?? {} };
    case 'ip-block':
      return { ipBlock: peer?.ipBlock ?? { cidr: '' } };
  }
}

/** A new allow rule with a name not yet used. */
export function newRule(existing: ReadonlyArray<{ name?: unknown }>): Record<string, unknown> {
  const names = new Set(existing.map((r) => r.name));
  let i = existing.length + 1;
  while (names.has(`rule-${i}`)) i++;
  return { name: `rule-${i}`, from: { podSelector: {} }, to: { podSelector: {} }, ports: [{ protocol: 'TCP', port: 443 }] };
}

/** Policy presets of the portal, as profile defaults: "Deny all" denies both directions by default. */
export const POLICY_PRESETS = {
  'deny-all': { ingress: true, egress: true },
  'deny-ingress': { ingress: true, egress: false },
  'allow-all': { ingress: false, egress: false },
} as const;

/** A new, valid profile to start from. */
export function newProfile(name: string): Record<string, unknown> {
  return {
    apiVersion: 'segmentation.dev/v1alpha1',
    kind: 'SegmentationProfile',
    metadata: { name },
    spec: { mode: 'Enforce', namespaceSelector: { matchLabels: {} }, defaultDeny: { ingress: true, egress: true }, allow: [] },
  };
}
