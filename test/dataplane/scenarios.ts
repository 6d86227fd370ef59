// The data-plane scenarios as data: one entry per claim of docs/policies.md. Each names its
// profile spec, the namespaces and pods it creates, and the flows whose outcome the product
// promises. The suite adds the shared endpoints below to every scenario, measures the whole
// matrix with no policy (all open: the responders listen), applies the profile through the
// operator, and then requires: measured == evaluator (every cell) and measured == `expect`.
// A new construct is one more entry.
import type { SegmentationProfileInput } from '../../src/api/profile.js';
import type { HostSpec, PodSpec, PortSpec } from './lib/topology.js';

export interface ExpectedFlow {
  /** `ns/pod` or `host/<name>` */
  from: string;
  to: string;
  port: number;
  protocol?: 'TCP' | 'UDP';
  allowed: boolean;
}

export interface Scenario {
  id: string;
  title: string;
  /** Applied as SegmentationProfile `dp-<id>`. Use `targets(id)` to select the scenario's namespaces. */
  profile: SegmentationProfileInput['spec'];
  /** Namespaces to create, with their labels (add `targetLabel(id)` where the profile should apply). */
  namespaces: Record<string, Record<string, string>>;
  pods: PodSpec[];
  /** External hosts of this scenario only (the shared ones are always there). */
  hosts?: HostSpec[];
  expect: ExpectedFlow[];
  /**
   * Cells where the evaluator's default ipBlock reading (never matches pod IPs) differs from this
   * engine's (matches them). Everywhere else both readings must agree with the packets.
   */
  readingDependent?: Omit<ExpectedFlow, 'allowed'>[];
}

/** Label that the scenario's profile selects; namespaces of other scenarios never carry it. */
export const SCENARIO_LABEL = 'dataplane.test/scenario';
export const targetLabel = (id: string) => ({ [SCENARIO_LABEL]: id });
export const targets = (id: string) => ({ namespaceSelector: { matchLabels: targetLabel(id) } });

const tcp = (port: number, name?: string): PortSpec => ({ port, protocol: 'TCP', ...(name ? { name } : {}) });
const udp = (port: number): PortSpec => ({ port, protocol: 'UDP' });

export const EXTERNAL_API = '203.0.113.10';
/** A "node" on the node subnet 10.240.0.0/24 (the Node object's InternalIP, 10.240.0.1, is the node namespace). */
export const NODE_HOST = '10.240.0.10';
/**
 * A stand-in for the API server's endpoint as pods would see it (the real test API server listens on
 * 127.0.0.1 inside the node namespace). The `kubernetes` EndpointSlice in `default` names it, so the
 * operator compiles `apiServer.allowFrom` against it.
 */
export const API_SERVER_ENDPOINT = { ip: '10.240.1.20', port: 6443 } as const;
export const METADATA = '169.254.169.254';

/** Endpoints present in every scenario: cluster DNS, a non-DNS pod in kube-system, and three outside hosts. */
export const SHARED_PODS: PodSpec[] = [
  { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [udp(53), tcp(53)] },
  { namespace: 'kube-system', name: 'not-dns', labels: { app: 'other' }, ports: [udp(53), tcp(53)] },
];
export const SHARED_HOSTS: HostSpec[] = [
  { name: 'external-api', ip: EXTERNAL_API, ports: [tcp(443), tcp(80)] },
  { name: 'metadata', ip: METADATA, ports: [tcp(80)] },
  { name: 'node', ip: NODE_HOST, ports: [tcp(22), tcp(8080)] },
  { name: 'apiserver', ip: API_SERVER_ENDPOINT.ip, ports: [tcp(API_SERVER_ENDPOINT.port)] },
];

const dnsFlows = (from: string, allowed: boolean): ExpectedFlow[] => [
  { from, to: 'kube-system/coredns', port: 53, protocol: 'UDP', allowed },
  { from, to: 'kube-system/coredns', port: 53, protocol: 'TCP', allowed },
];

export const SCENARIOS: Scenario[] = [
  {
    id: 'deny-all',
    title: 'default deny: nothing in or out but DNS (UDP and TCP 53, only to the DNS pods)',
    profile: { ...targets('deny-all') },
    namespaces: { 'da-app': targetLabel('deny-all') },
    pods: [
      { namespace: 'da-app', name: 'web', labels: { app: 'web' }, ports: [tcp(80)] },
      { namespace: 'da-app', name: 'client', labels: { app: 'client' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'da-app/client', to: 'da-app/web', port: 80, allowed: false },
      { from: 'da-app/web', to: 'da-app/client', port: 80, allowed: false },
      { from: 'da-app/client', to: 'host/external-api', port: 443, allowed: false },
      { from: 'da-app/client', to: 'host/metadata', port: 80, allowed: false },
      { from: 'host/external-api', to: 'da-app/web', port: 80, allowed: false },
      ...dnsFlows('da-app/client', true),
      { from: 'da-app/client', to: 'kube-system/not-dns', port: 53, protocol: 'UDP', allowed: false },
      { from: 'da-app/client', to: 'kube-system/not-dns', port: 53, protocol: 'TCP', allowed: false },
    ],
  },
  {
    id: 'metadata',
    title: 'egress open: the metadata endpoint is blocked, every other destination stays reachable',
    profile: { ...targets('metadata'), defaultDeny: { ingress: false, egress: false } },
    namespaces: { 'md-open': targetLabel('metadata') },
    pods: [
      { namespace: 'md-open', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
      { namespace: 'md-open', name: 'other', labels: { app: 'other' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'md-open/app', to: 'host/metadata', port: 80, allowed: false },
      { from: 'md-open/app', to: 'host/external-api', port: 443, allowed: true },
      { from: 'md-open/app', to: 'host/external-api', port: 80, allowed: true },
      { from: 'md-open/app', to: 'md-open/other', port: 80, allowed: true },
      { from: 'host/external-api', to: 'md-open/app', port: 80, allowed: true },
      ...dnsFlows('md-open/app', true),
    ],
  },
  {
    id: 'backend-db',
    title: 'backend -> database on 5432 and nothing else',
    profile: { ...targets('backend-db'), allow: [{ name: 'backend-to-database', from: { podSelector: { matchLabels: { app: 'backend' } } }, to: { podSelector: { matchLabels: { app: 'database' } } }, ports: [{ protocol: 'TCP', port: 5432 }] }] },
    namespaces: { 'bd-shop': targetLabel('backend-db') },
    pods: [
      { namespace: 'bd-shop', name: 'backend', labels: { app: 'backend' }, ports: [tcp(8080)] },
      { namespace: 'bd-shop', name: 'database', labels: { app: 'database' }, ports: [tcp(5432), tcp(6379)] },
      { namespace: 'bd-shop', name: 'frontend', labels: { app: 'frontend' }, ports: [tcp(8080)] },
    ],
    expect: [
      { from: 'bd-shop/backend', to: 'bd-shop/database', port: 5432, allowed: true },
      { from: 'bd-shop/backend', to: 'bd-shop/database', port: 6379, allowed: false },
      { from: 'bd-shop/frontend', to: 'bd-shop/database', port: 5432, allowed: false },
      { from: 'bd-shop/database', to: 'bd-shop/backend', port: 8080, allowed: false },
      { from: 'bd-shop/backend', to: 'host/external-api', port: 443, allowed: false },
      ...dnsFlows('bd-shop/backend', true),
    ],
  },
  {
    id: 'frontend-api',
    title: 'frontend -> external API (203.0.113.0/24) on 443 only',
    profile: { ...targets('frontend-api'), allow: [{ name: 'frontend-to-external-api', from: { podSelector: { matchLabels: { app: 'frontend' } } }, to: { ipBlock: { cidr: '203.0.113.0/24' } }, ports: [{ protocol: 'TCP', port: 443 }] }] },
    namespaces: { 'fe-shop': targetLabel('frontend-api') },
    pods: [
      { namespace: 'fe-shop', name: 'frontend', labels: { app: 'frontend' }, ports: [tcp(8080)] },
      { namespace: 'fe-shop', name: 'backend', labels: { app: 'backend' }, ports: [tcp(8080)] },
    ],
    expect: [
      { from: 'fe-shop/frontend', to: 'host/external-api', port: 443, allowed: true },
      { from: 'fe-shop/frontend', to: 'host/external-api', port: 80, allowed: false },
      { from: 'fe-shop/backend', to: 'host/external-api', port: 443, allowed: false },
      { from: 'fe-shop/frontend', to: 'host/metadata', port: 80, allowed: false },
      { from: 'fe-shop/frontend', to: 'fe-shop/backend', port: 8080, allowed: false },
      ...dnsFlows('fe-shop/frontend', true),
    ],
  },
  {
    id: 'api-lockdown',
    title: 'AKS demo: app=api accepts only app=api (ingress isolation, egress open but metadata)',
    profile: { ...targets('api-lockdown'), defaultDeny: { ingress: true, egress: false }, allow: [{ name: 'api-to-api', from: { podSelector: { matchLabels: { app: 'api' } } }, to: { podSelector: { matchLabels: { app: 'api' } } } }] },
    namespaces: { 'al-app': targetLabel('api-lockdown') },
    pods: [
      { namespace: 'al-app', name: 'api-a', labels: { app: 'api' }, ports: [tcp(8080)] },
      { namespace: 'al-app', name: 'api-b', labels: { app: 'api' }, ports: [tcp(8080)] },
      { namespace: 'al-app', name: 'web', labels: { app: 'web' }, ports: [tcp(8080)] },
    ],
    expect: [
      { from: 'al-app/api-a', to: 'al-app/api-b', port: 8080, allowed: true },
      { from: 'al-app/web', to: 'al-app/api-b', port: 8080, allowed: false },
      { from: 'al-app/api-a', to: 'al-app/web', port: 8080, allowed: false },
      { from: 'host/external-api', to: 'al-app/api-a', port: 8080, allowed: false },
      { from: 'al-app/web', to: 'host/external-api', port: 443, allowed: true },
      { from: 'al-app/web', to: 'host/metadata', port: 80, allowed: false },
    ],
  },
  {
    id: 'monitoring',
    title: 'cross-namespace: prometheus in a monitoring namespace scrapes every targeted namespace on 9090',
    profile: {
      ...targets('monitoring'),
      allow: [{ name: 'scrape', from: { podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mon-monitoring' } } }, to: { podSelector: {} }, ports: [{ protocol: 'TCP', port: 9090 }] }],
    },
    namespaces: { 'mon-monitoring': targetLabel('monitoring'), 'mon-shop': targetLabel('monitoring') },
    pods: [
      { namespace: 'mon-monitoring', name: 'prometheus', labels: { app: 'prometheus' }, ports: [tcp(9090)] },
      { namespace: 'mon-shop', name: 'web', labels: { app: 'web' }, ports: [tcp(9090), tcp(80)] },
      { namespace: 'mon-shop', name: 'prometheus', labels: { app: 'prometheus' }, ports: [tcp(9090)] },
    ],
    expect: [
      { from: 'mon-monitoring/prometheus', to: 'mon-shop/web', port: 9090, allowed: true },
      { from: 'mon-monitoring/prometheus', to: 'mon-shop/web', port: 80, allowed: false },
      { from: 'mon-shop/prometheus', to: 'mon-shop/web', port: 9090, allowed: false },
      { from: 'mon-shop/web', to: 'mon-monitoring/prometheus', port: 9090, allowed: false },
    ],
  },
  {
    id: 'untouched',
    title: 'opted-out (segmentation.dev/ignore=true) and unmatched namespaces are left alone',
    profile: { ...targets('untouched') },
    namespaces: { 'ut-on': targetLabel('untouched'), 'ut-ignored': { ...targetLabel('untouched'), 'segmentation.dev/ignore': 'true' }, 'ut-other': {} },
    pods: [
      { namespace: 'ut-on', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
      { namespace: 'ut-ignored', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
      { namespace: 'ut-other', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'ut-ignored/app', to: 'ut-other/app', port: 80, allowed: true },
      { from: 'ut-other/app', to: 'ut-ignored/app', port: 80, allowed: true },
      { from: 'ut-ignored/app', to: 'host/metadata', port: 80, allowed: true },
      { from: 'ut-other/app', to: 'host/metadata', port: 80, allowed: true },
      { from: 'host/external-api', to: 'ut-other/app', port: 80, allowed: true },
      { from: 'ut-other/app', to: 'ut-on/app', port: 80, allowed: false },
      { from: 'ut-on/app', to: 'ut-other/app', port: 80, allowed: false },
    ],
  },
  {
    id: 'ipblock-pod-ips',
    title: 'ipBlock and pod IPs: an egress ipBlock that contains a pod IP admits that pod on kube-router',
    profile: { ...targets('ipblock-pod-ips'), defaultDeny: { ingress: false, egress: true }, allow: [{ name: 'to-pod-range', from: { podSelector: { matchLabels: { app: 'frontend' } } }, to: { ipBlock: { cidr: '10.244.0.0/16' } }, ports: [{ protocol: 'TCP', port: 8080 }] }] },
    namespaces: { 'ib-shop': targetLabel('ipblock-pod-ips') },
    pods: [
      { namespace: 'ib-shop', name: 'frontend', labels: { app: 'frontend' }, ports: [tcp(8080)] },
      { namespace: 'ib-shop', name: 'backend', labels: { app: 'backend' }, ports: [tcp(8080)] },
    ],
    expect: [
      // The engine's reading, not a product promise: the evaluator's default never counts it.
      { from: 'ib-shop/frontend', to: 'ib-shop/backend', port: 8080, allowed: true },
      { from: 'ib-shop/backend', to: 'ib-shop/frontend', port: 8080, allowed: false },
    ],
    readingDependent: [{ from: 'ib-shop/frontend', to: 'ib-shop/backend', port: 8080 }],
  },
  // --- issue 10 constructs -------------------------------------------------------------
  {
    id: 'metadata-exception',
    title: 'metadata exception (instanceMetadata.allowFrom): only the labelled pods reach the endpoint, egress open',
    profile: { ...targets('metadata-exception'), defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: true, allowFrom: [{ podSelector: { matchLabels: { app: 'node-agent' } } }] } },
    namespaces: { 'mx-app': targetLabel('metadata-exception') },
    pods: [
      { namespace: 'mx-app', name: 'agent', labels: { app: 'node-agent' }, ports: [tcp(80)] },
      { namespace: 'mx-app', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'mx-app/agent', to: 'host/metadata', port: 80, allowed: true },
      { from: 'mx-app/app', to: 'host/metadata', port: 80, allowed: false },
      { from: 'mx-app/agent', to: 'host/external-api', port: 443, allowed: true },
      { from: 'mx-app/app', to: 'host/external-api', port: 443, allowed: true },
      { from: 'mx-app/app', to: 'mx-app/agent', port: 80, allowed: true },
    ],
  },
  {
    id: 'metadata-exception-denied',
    title: 'metadata exception under default-deny egress: the labelled pods reach the endpoint on port 80 and nothing else outside',
    profile: { ...targets('metadata-exception-denied'), instanceMetadata: { deny: true, allowFrom: [{ podSelector: { matchLabels: { app: 'node-agent' } }, ports: [{ protocol: 'TCP', port: 80 }] }] } },
    namespaces: { 'mxd-app': targetLabel('metadata-exception-denied') },
    pods: [
      { namespace: 'mxd-app', name: 'agent', labels: { app: 'node-agent' }, ports: [tcp(80)] },
      { namespace: 'mxd-app', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'mxd-app/agent', to: 'host/metadata', port: 80, allowed: true },
      { from: 'mxd-app/app', to: 'host/metadata', port: 80, allowed: false },
      { from: 'mxd-app/agent', to: 'host/external-api', port: 443, allowed: false },
      ...dnsFlows('mxd-app/agent', true),
    ],
  },
  {
    id: 'ingress-from-cidr',
    title: 'ingress from an external CIDR with nothing default-denied: the destination is isolated and admits only that range',
    profile: { ...targets('ingress-from-cidr'), defaultDeny: { ingress: false, egress: false }, allow: [{ name: 'gateway-to-frontend', from: { ipBlock: { cidr: '203.0.113.0/24' } }, to: { podSelector: { matchLabels: { app: 'frontend' } } }, ports: [{ protocol: 'TCP', port: 8080 }] }] },
    namespaces: { 'ic-shop': targetLabel('ingress-from-cidr') },
    pods: [
      { namespace: 'ic-shop', name: 'frontend', labels: { app: 'frontend' }, ports: [tcp(8080), tcp(9090)] },
      { namespace: 'ic-shop', name: 'backend', labels: { app: 'backend' }, ports: [tcp(8080)] },
    ],
    expect: [
      { from: 'host/external-api', to: 'ic-shop/frontend', port: 8080, allowed: true },
      { from: 'host/external-api', to: 'ic-shop/frontend', port: 9090, allowed: false },
      { from: 'host/metadata', to: 'ic-shop/frontend', port: 8080, allowed: false },
      { from: 'ic-shop/backend', to: 'ic-shop/frontend', port: 8080, allowed: false },
      { from: 'host/external-api', to: 'ic-shop/backend', port: 8080, allowed: true },
      { from: 'ic-shop/frontend', to: 'ic-shop/backend', port: 8080, allowed: true },
    ],
  },
  {
    id: 'api-lockdown-open',
    title: 'AKS demo with nothing default-denied: app=api admits app=api from any namespace, every other pod untouched',
    profile: { ...targets('api-lockdown-open'), defaultDeny: { ingress: false, egress: false }, allow: [{ name: 'api-to-api', from: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }, to: { podSelector: { matchLabels: { app: 'api' } } } }] },
    namespaces: { 'alo-app': targetLabel('api-lockdown-open'), 'alo-other': {} },
    pods: [
      { namespace: 'alo-app', name: 'api', labels: { app: 'api' }, ports: [tcp(8080)] },
      { namespace: 'alo-app', name: 'test', labels: { app: 'test' }, ports: [tcp(8080)] },
      { namespace: 'alo-other', name: 'api', labels: { app: 'api' }, ports: [tcp(8080)] },
    ],
    expect: [
      { from: 'alo-other/api', to: 'alo-app/api', port: 8080, allowed: true },
      { from: 'alo-app/test', to: 'alo-app/api', port: 8080, allowed: false },
      { from: 'alo-app/api', to: 'alo-app/test', port: 8080, allowed: true },
      { from: 'host/external-api', to: 'alo-app/api', port: 8080, allowed: false },
      { from: 'alo-app/api', to: 'host/external-api', port: 443, allowed: true },
    ],
  },
  {
    id: 'node-ssh',
    title: 'nodeAccess: pods cannot reach a node on 22, the node stays reachable on 8080, egress otherwise open',
    profile: { ...targets('node-ssh'), defaultDeny: { ingress: false, egress: false }, nodeAccess: { cidrs: ['10.240.0.0/24'] } },
    namespaces: { 'ns-app': targetLabel('node-ssh') },
    pods: [{ namespace: 'ns-app', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] }],
    expect: [
      { from: 'ns-app/app', to: 'host/node', port: 22, allowed: false },
      { from: 'ns-app/app', to: 'host/node', port: 8080, allowed: true },
      { from: 'ns-app/app', to: 'host/metadata', port: 80, allowed: false },
      { from: 'ns-app/app', to: 'host/external-api', port: 443, allowed: true },
      { from: 'host/node', to: 'ns-app/app', port: 80, allowed: true },
    ],
  },
  {
    id: 'node-ssh-no-metadata',
    title: 'nodeAccess with the metadata block off (deny-node-ports policy): 22 closed, 8080 and the metadata endpoint open',
    profile: { ...targets('node-ssh-no-metadata'), defaultDeny: { ingress: false, egress: false }, instanceMetadata: { deny: false }, nodeAccess: { cidrs: ['10.240.0.0/24'] } },
    namespaces: { 'nsm-app': targetLabel('node-ssh-no-metadata') },
    pods: [{ namespace: 'nsm-app', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] }],
    expect: [
      { from: 'nsm-app/app', to: 'host/node', port: 22, allowed: false },
      { from: 'nsm-app/app', to: 'host/node', port: 8080, allowed: true },
      { from: 'nsm-app/app', to: 'host/metadata', port: 80, allowed: true },
    ],
  },
  {
    id: 'api-server',
    title: 'apiServer.allowFrom under default-deny egress: only the labelled pods reach the API server endpoint (from the kubernetes EndpointSlice)',
    profile: { ...targets('api-server'), apiServer: { allowFrom: [{ podSelector: { matchLabels: { app: 'controller' } } }] } },
    namespaces: { 'as-app': targetLabel('api-server') },
    pods: [
      { namespace: 'as-app', name: 'controller', labels: { app: 'controller' }, ports: [tcp(80)] },
      { namespace: 'as-app', name: 'app', labels: { app: 'app' }, ports: [tcp(80)] },
    ],
    expect: [
      { from: 'as-app/controller', to: 'host/apiserver', port: API_SERVER_ENDPOINT.port, allowed: true },
      { from: 'as-app/app', to: 'host/apiserver', port: API_SERVER_ENDPOINT.port, allowed: false },
      { from: 'as-app/controller', to: 'host/external-api', port: 443, allowed: false },
      { from: 'as-app/controller', to: 'host/metadata', port: 80, allowed: false },
      ...dnsFlows('as-app/controller', true),
    ],
  },
];
