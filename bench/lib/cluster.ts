// Control-plane set-up for the benchmark: the project's CRD (server-side apply, wait until served).
import { buildCrd } from '../../src/api/crd.js';
import { GROUP, PLURAL } from '../../src/api/profile.js';
import { FIELD_MANAGER } from '../../src/compile/labels.js';
import type { KubeClient } from '../../src/kube/client.js';

const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PLURAL}.${GROUP}`;

export async function installCrd(client: KubeClient, timeoutMs = 60_000): Promise<void> {
  await client.request('PATCH', CRD_PATH, { query: { fieldManager: `${FIELD_MANAGER}-bench`, force: true }, body: buildCrd(), contentType: 'application/apply-patch+yaml' });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', CRD_PATH);
    if (crd.status?.conditions?.find((c) => c.type === 'Established')?.status === 'True') break;
    if (Date.now() > deadline) throw new Error(`CRD not established after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // Established can precede the first successful request on the new path by a moment.
  for (;;) {
    try {
      await client.request('GET', `/apis/${GROUP}/v1alpha1/${PLURAL}`);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
