// Runs one scenario on the data plane: namespaces and pods, the all-open baseline, the profile
// through the operator, then the measured matrix next to the evaluator's. Leaves nothing behind.
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSION, KIND, segmentationProfileSchema, type SegmentationProfileInput } from '../../../src/api/profile.js';
import { PROFILES_PATH } from '../../../src/kube/api.js';
import { render } from '../../../src/compile/render.js';
import { API_SERVER_ENDPOINT, type Scenario } from '../scenarios.js';
import { evaluateCells, readBack, type ReadBack } from './evaluated.js';
import { cellKey, matrixCells, measure, type Cell, type Measurement } from './measure.js';
import type { NodeEnv } from './node.js';
import { addHost, addPod, removeEndpoint, type Endpoint } from './topology.js';

export interface ScenarioRun {
  cells: Cell[];
  baseline: Measurement;
  measured: Measurement;
  evaluated: Map<string, boolean>;
  /** The same cells in the evaluator's default (conservative) ipBlock reading. */
  evaluatedConservative: Map<string, boolean>;
  readBack: ReadBack;
  /** Profile applied -> every policy the compiler wants is in the API server. */
  policiesMs: number;
  /** Policies in the API server -> the data plane matches the evaluator. */
  enforcedMs: number;
}

export async function applyProfile(node: NodeEnv, name: string, spec: SegmentationProfileInput['spec']): Promise<void> {
  const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec };
  await node.api.request('PATCH', `${PROFILES_PATH}/${name}`, { query: { fieldManager: 'dataplane-tests', force: true }, body, contentType: 'application/apply-patch+yaml' });
}

/** Names of the managed policies the compiler says each namespace must have. */
function wantedPolicies(name: string, spec: SegmentationProfileInput['spec'], namespaces: Record<string, Record<string, string>>): Map<string, string[]> {
  const profile = segmentationProfileSchema.parse({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec });
  const out = new Map<string, string[]>();
  for (const [ns, labels] of Object.entries(namespaces)) {
    const facts = { apiServer: { addresses: [API_SERVER_ENDPOINT.ip], ports: [{ protocol: 'TCP' as const, port: API_SERVER_ENDPOINT.port }] } };
    out.set(ns, render(profile, { name: ns, labels: { ...labels, 'kubernetes.io/metadata.name': ns } }, facts).map((p) => p.metadata.name).sort());
  }
  return out;
}

async function policyNames(node: NodeEnv, ns: string): Promise<string[]> {
  const list = await node.api.request<{ items: { metadata: { name: string } }[] }>('GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`);
  return list.items.map((p) => p.metadata.name).sort();
}

/** Polls `check` every `intervalMs` until it returns true or `timeoutMs` passes (bounded). */
export async function until(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

function sameVerdicts(a: ReadonlyMap<string, boolean>, b: ReadonlyMap<string, boolean>): boolean {
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export async function createNamespaces(node: NodeEnv, namespaces: Record<string, Record<string, string>>): Promise<void> {
  for (const [name, labels] of Object.entries(namespaces)) {
    await node.api.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } } });
  }
}

export async function runScenario(node: NodeEnv, shared: readonly Endpoint[], scenario: Scenario): Promise<ScenarioRun> {
  const profileName = `dp-${scenario.id}`;
  const own: Endpoint[] = [];
  try {
    await createNamespaces(node, scenario.namespaces);
    for (const pod of scenario.pods) own.push(await addPod(node, pod));
    for (const host of scenario.hosts ?? []) own.push(await addHost(node, host));
    const endpoints = [...shared, ...own];
    const cells = matrixCells(endpoints);
    for (const f of scenario.expect) {
      const key = cellKey({ from: { id: f.from }, to: { id: f.to }, port: f.port, protocol: f.protocol ?? 'TCP' });
      if (!cells.some((c) => cellKey(c) === key)) throw new Error(`scenario ${scenario.id}: expected flow ${key} is not a cell of the matrix (a typo?)`);
    }
    const baseline = await measure(cells);

    const appliedAt = Date.now();
    await applyProfile(node, profileName, scenario.profile);
    const wanted = wantedPolicies(profileName, scenario.profile, scenario.namespaces);
    const written = await until(async () => {
      for (const [ns, names] of wanted) if ((await policyNames(node, ns)).join() !== names.join()) return false;
      return true;
    }, 30_000);
    if (!written) throw new Error(`scenario ${scenario.id}: the operator did not write ${JSON.stringify([...wanted])} within 30 s; ${node.logs()}`);
    const policiesMs = Date.now() - appliedAt;

    const namespaces = [...new Set([...Object.keys(scenario.namespaces), ...endpoints.filter((e) => e.pod).map((e) => e.pod!.namespace)])];
    const back = await readBack(node.api, namespaces, true);
    const evaluated = evaluateCells(back.model, cells);
    const evaluatedConservative = evaluateCells({ ...back.model, ipBlockMatchesPodIps: false }, cells);
    // kube-router applies policies asynchronously: wait (bounded) until the data plane agrees,
    // then take the measurement that the test compares.
    const enforcedFrom = Date.now();
    await until(async () => sameVerdicts(evaluated, (await measure(cells)).allowed), 20_000, 100);
    const enforcedMs = Date.now() - enforcedFrom;
    const measured = await measure(cells);
    return { cells, baseline, measured, evaluated, evaluatedConservative, readBack: back, policiesMs, enforcedMs };
  } finally {
    await node.api.request('DELETE', `${PROFILES_PATH}/${profileName}`).catch(() => {});
    for (const e of own) await removeEndpoint(node, e);
    for (const ns of Object.keys(scenario.namespaces)) await node.api.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => {});
  }
}
