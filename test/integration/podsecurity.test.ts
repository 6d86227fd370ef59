// The operator's pod, built from the Deployment's template, against the real API server's PodSecurity
// admission: admitted where `restricted` is enforced (the operator's own namespace), refused there as soon
// as any one hardening setting is weakened, and admitted weakened in a namespace that enforces nothing
// (so the refusals come from PodSecurity, not from something else). Server-side dry run: nothing is stored.
import assert from 'node:assert/strict';
import { Api, ApiError, adminApi, applyAll } from '../unit/manifests/apply.js';
import { MANIFESTS_DIR, OPERATOR_NAME, OPERATOR_NAMESPACE, loadKustomization, type K8sObject } from '../unit/manifests/load.js';
import { operatorPodTemplate, type PodSpec } from '../unit/manifests/operator-pod.js';
import { controlPlane, uniqueNamespace, type TestNamespace } from './hooks.js';

type Weakening = { name: string; violation: string; weaken: (spec: PodSpec) => void };

const container = (spec: PodSpec) => spec.containers[0]!;
const weakenings: Weakening[] = [
  { name: 'allowPrivilegeEscalation: true', violation: 'allowPrivilegeEscalation != false', weaken: (s) => void (container(s).securityContext!.allowPrivilegeEscalation = true) },
  { name: 'runAsUser: 0', violation: 'runAsUser=0', weaken: (s) => void (container(s).securityContext!.runAsUser = 0) },
  { name: 'runAsNonRoot: false', violation: 'runAsNonRoot != true', weaken: (s) => {
    s.securityContext!.runAsNonRoot = false;
    container(s).securityContext!.runAsNonRoot = false;
  } },
  { name: 'capabilities not dropped', violation: 'unrestricted capabilities', weaken: (s) => void delete container(s).securityContext!.capabilities },
  { name: 'NET_RAW added', violation: 'unrestricted capabilities', weaken: (s) => void (container(s).securityContext!.capabilities = { drop: ['ALL'], add: ['NET_RAW'] }) },
  { name: 'no seccomp profile', violation: 'seccompProfile', weaken: (s) => {
    delete s.securityContext!.seccompProfile;
    delete container(s).securityContext!.seccompProfile;
  } },
  // (privileged needs allowPrivilegeEscalation, or the pod is invalid before admission)
  { name: 'privileged: true', violation: 'privileged (container "operator" must not set securityContext.privileged=true)', weaken: (s) => {
    container(s).securityContext!.privileged = true;
    container(s).securityContext!.allowPrivilegeEscalation = true;
  } },
  { name: 'hostNetwork: true', violation: 'host namespaces', weaken: (s) => void (s.hostNetwork = true) },
];

describe('Pod Security: the operator pod on the real API server', function () {
  this.timeout(120_000);
  const docs = loadKustomization(MANIFESTS_DIR);
  let api: Api;
  let open: TestNamespace;

  before(async () => {
    api = adminApi(controlPlane());
    await applyAll(api, docs.map((d) => d.object));
    // A namespace that enforces nothing, with the ServiceAccount the pod names (ServiceAccount admission).
    open = await uniqueNamespace('podsecurity-open');
    await api.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: OPERATOR_NAME, namespace: open.name } });
  });
  after(async () => {
    await open.delete();
    await api.close();
  });

  function pod(namespace: string, weaken?: (spec: PodSpec) => void): K8sObject {
    const template = operatorPodTemplate(docs);
    weaken?.(template.spec);
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${OPERATOR_NAME}-dry-run`, namespace, labels: template.metadata.labels }, spec: template.spec };
  }

  const create = (p: K8sObject) => api.call('POST', `/api/v1/namespaces/${p.metadata.namespace}/pods`, { body: p, query: { dryRun: 'All', fieldValidation: 'Strict' } });

  it(`the namespace ${OPERATOR_NAMESPACE} enforces restricted`, async () => {
    const { body } = await api.call<K8sObject>('GET', `/api/v1/namespaces/${OPERATOR_NAMESPACE}`);
    assert.equal(body.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('admits the pod from the Deployment template, without warnings', async () => {
    const { status, warnings } = await create(pod(OPERATOR_NAMESPACE));
    assert.equal(status, 201);
    assert.deepEqual(warnings, []);
  });

  for (const w of weakenings) {
    it(`refuses it with ${w.name}, naming the violation`, async () => {
      await assert.rejects(create(pod(OPERATOR_NAMESPACE, w.weaken)), (err) => {
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.status, 403, err.message);
        assert.ok(err.statusMessage.includes('violates PodSecurity "restricted:'), err.message);
        assert.ok(err.statusMessage.includes(w.violation), `refusal does not name "${w.violation}": ${err.statusMessage}`);
        return true;
      });
    });
  }

  it('admits every weakened pod where nothing is enforced (the refusals above are PodSecurity)', async () => {
    for (const w of weakenings) {
      const { status } = await create(pod(open.name, w.weaken));
      assert.equal(status, 201, w.name);
    }
  });
});
