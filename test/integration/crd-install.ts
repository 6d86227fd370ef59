// Installs the project's CRD into the test control plane (server-side apply) and waits until it is served.
import type { KubeConfig } from '@kubernetes/client-node';
import { buildCrd } from '../../src/api/crd.js';
import { GROUP, PLURAL, VERSION } from '../../src/api/profile.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import { KubeClient } from '../../src/kube/client.js';
import { eventually } from './hooks.js';

const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PLURAL}.${GROUP}`;
let installed: Promise<void> | undefined;

/** Idempotent within a test run: the CRD is cluster-scoped and shared by every test. */
export function installCrd(kc: KubeConfig): Promise<void> {
  installed ??= (async () => {
    const client = new KubeClient(kc);
    await client.request('PATCH', CRD_PATH, { query: { fieldManager: `${FIELD_MANAGER}-tests`, force: true }, body: buildCrd(), contentType: 'application/apply-patch+yaml' });
    await eventually(async () => {
      const crd = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', CRD_PATH);
      if (crd.status?.conditions?.find((c) => c.type === 'Established')?.status !== 'True') throw new Error(`CRD not established: ${JSON.stringify(crd.status)}`);
      await client.request('GET', `/apis/${GROUP}/${VERSION}/${PLURAL}`); // served, not only established
    });
  })();
  return installed;
}
