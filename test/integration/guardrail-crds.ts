// The real CRDs of the guardrail backends (test/guardrail-crds/fetch.sh: pinned Go modules, sha256-checked),
// installed into the test control plane. Idempotent within a test run.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { repoRoot } from '../../src/devcluster/binaries.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import { KubeClient } from '../../src/kube/client.js';
import { eventually } from './hooks.js';

interface Crd {
  metadata: { name: string };
  spec: { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
}

/** Where each guardrail kind is served once its CRD is installed: `kind` -> collection path. */
export type GuardrailPaths = Map<string, string>;

let installed: Promise<GuardrailPaths> | undefined;
let crdDir: string | undefined;

/** Fetches (first time: a few seconds through the Go module proxy) and installs the pinned CRDs. */
export function installGuardrailCrds(kc: KubeConfig): Promise<GuardrailPaths> {
  installed ??= (async () => {
    const script = join(repoRoot(), 'test', 'guardrail-crds', 'fetch.sh');
    const { stdout } = await promisify(execFile)('bash', [script], { timeout: 10 * 60_000 });
    const dir = stdout.trim().split('\n').at(-1)!;
    crdDir = dir;
    const client = new KubeClient(kc);
    const paths: GuardrailPaths = new Map();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const crd = parse(readFileSync(join(dir, file), 'utf8')) as Crd & { spec: { names: { kind: string } } };
      const crdPath = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
      await client.request('PATCH', crdPath, { query: { fieldManager: `${FIELD_MANAGER}-tests`, force: true }, body: crd, contentType: 'application/apply-patch+yaml' });
      const version = crd.spec.versions.find((v) => v.served)!.name;
      const collection = `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`;
      await eventually(async () => {
        const got = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', crdPath);
        if (got.status?.conditions?.find((c) => c.type === 'Established')?.status !== 'True') throw new Error(`${crd.metadata.name} not established`);
        await client.request('GET', collection);
      });
      paths.set(`${crd.spec.group}/${version}/${crd.spec.names.kind}`, collection);
    }
    return paths;
  })();
  return installed;
}

const crdPath = (name: string) => `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;

/**
 * Removes one of the pinned CRDs (and so every object of its kind) and waits until it is gone, for tests
 * that start the operator without it. Put it back with reinstallGuardrailCrd.
 */
export async function removeGuardrailCrd(kc: KubeConfig, name: string): Promise<void> {
  await installGuardrailCrds(kc);
  const client = new KubeClient(kc);
  await client.request('DELETE', crdPath(name)).catch((err: unknown) => {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  });
  await eventually(
    async () => {
      const gone = await client.request('GET', crdPath(name)).then(
        () => false,
        (err: unknown) => (err as { statusCode?: number }).statusCode === 404,
      );
      if (!gone) throw new Error(`${name} still there`);
    },
    { timeoutMs: 60_000 },
  );
}

/** Installs one pinned CRD again (as installGuardrailCrds did) and waits until it is established. */
export async function reinstallGuardrailCrd(kc: KubeConfig, name: string): Promise<void> {
  await installGuardrailCrds(kc);
  const client = new KubeClient(kc);
  for (const file of readdirSync(crdDir!).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(crdDir!, file), 'utf8')) as Crd;
    if (crd.metadata.name !== name) continue;
    await client.request('PATCH', crdPath(name), { query: { fieldManager: `${FIELD_MANAGER}-tests`, force: true }, body: crd, contentType: 'application/apply-patch+yaml' });
    const version = crd.spec.versions.find((v) => v.served)!.name;
    await eventually(async () => {
      const got = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', crdPath(name));
      if (got.status?.conditions?.find((c) => c.type === 'Established')?.status !== 'True') throw new Error(`${name} not established`);
      await client.request('GET', `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`);
    });
    return;
  }
  throw new Error(`no pinned CRD ${name}`);
}
