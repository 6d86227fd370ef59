// Installs the project's CRD into the node's API server and waits until it is served. (Not the
// integration tests' installCrd: that one is memoised per process for their own control plane, and
// calling it for this one first would leave theirs without the CRD.)
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCrd } from '../../../src/api/crd.js';
import { GROUP, PLURAL, VERSION } from '../../../src/api/profile.js';
import { FIELD_MANAGER } from '../../../src/compile/labels.js';
import type { KubeClient } from '../../../src/kube/client.js';

const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${PLURAL}.${GROUP}`;

export async function installCrd(api: KubeClient, timeoutMs = 30_000): Promise<void> {
  await api.request('PATCH', CRD_PATH, { query: { fieldManager: `${FIELD_MANAGER}-dataplane-tests`, force: true }, body: buildCrd(), contentType: 'application/apply-patch+yaml' });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await api.request('GET', `/apis/${GROUP}/${VERSION}/${PLURAL}`); // served, not only established
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the CRD is not served after ${timeoutMs} ms: ${String(err)}`);
      await sleep(100);
    }
  }
}
