// Guardrail objects read from files go through zod at the boundary: everything render emits is accepted,
// and what the evaluator does not model is refused with the field named, instead of silently changing
// the answer.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GUARDRAIL_SCHEMAS, type GuardrailKind } from '../../../../src/analysis/input-schemas.js';
import { describeZodIssues } from '../../../../src/cli/input.js';
import { renderAllGuardrails } from '../../../../src/compile/guardrails/index.js';
import { arbitraryGuardrailProfileInput } from '../../compile/arbitraries.js';
import { compileInput } from '../../compile/guardrails/helpers.js';

function problems(value: Record<string, unknown>): string[] {
  const result = GUARDRAIL_SCHEMAS[value.kind as GuardrailKind].safeParse(value);
  return result.success ? [] : describeZodIssues({ file: 'g.yaml', index: 0 }, result.error);
}

for (const backend of ['Cilium', 'ClusterNetworkPolicy', 'Calico'] as const) {
  describe(`guardrail file schemas accept what render emits (${backend})`, () => {
    it('every object of generated profiles parses, unchanged', () => {
      let objects = 0;
      fc.assert(
        fc.property(arbitraryGuardrailProfileInput(backend), (input) => {
          const compiled = compileInput(input);
          if (!compiled) return;
          for (const object of renderAllGuardrails([compiled])) {
            const plain = JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
            assert.deepEqual(problems(plain), [], JSON.stringify(plain));
            assert.deepEqual(GUARDRAIL_SCHEMAS[plain.kind as GuardrailKind].parse(plain), plain);
            objects++;
          }
        }),
        { numRuns: 150 },
      );
      assert.ok(objects > 50, `only ${objects} objects generated`);
    });
  });
}

describe('guardrail file schemas refuse what the analysis would get wrong, naming the field', () => {
  const ccnp = (spec: object) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, ...spec } });
  const cnp = (spec: object) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'x' }, spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ...spec } });
  const gnp = (spec: object, apiVersion = 'projectcalico.org/v3') => ({ apiVersion, kind: 'GlobalNetworkPolicy', metadata: { name: 'x' }, spec: { tier: 'guard', order: 1, types: ['Egress'], ...spec } });
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ['Cilium allow rules', ccnp({ egress: [{ toEntities: ['world'] }] }), /^g\.yaml#0: spec\.egress: .*allow rules are not evaluated/],
    ['a Cilium peer the evaluator does not model', ccnp({ egressDeny: [{ toFQDNs: [{ matchName: 'x' }] }] }), /^g\.yaml#0: spec\.egressDeny\[0\]\.toFQDNs: not evaluated by the analysis \(it reads toCIDR, toCIDRSet, toEntities, toEndpoints, toPorts\)$/],
    ['a Cilium named port', ccnp({ egressDeny: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: 'http' }] }] }] }), /^g\.yaml#0: spec\.egressDeny\[0\]\.toPorts\[0\]\.ports\[0\]\.port: .*named ports are not resolved/],
    ['a Cilium policy without spec', { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' } }, /needs spec or specs/],
    ['a bad CIDR', ccnp({ egressDeny: [{ toCIDR: ['169.254.169.254/33'] }] }), /^g\.yaml#0: spec\.egressDeny\[0\]\.toCIDR\[0\]: must be a CIDR/],
    ['a ClusterNetworkPolicy typo', cnp({ priorty: 5 }), /^g\.yaml#0: spec\.priorty: not evaluated by the analysis/],
    ['a ClusterNetworkPolicy priority out of range', cnp({ priority: 1001 }), /^g\.yaml#0: spec\.priority: /],
    ['an ingress peer with networks', cnp({ ingress: [{ action: 'Deny', from: [{ networks: ['10.0.0.0/8'] }] }] }), /^g\.yaml#0: spec\.ingress\[0\]\.from\[0\]\.networks: not evaluated/],
    ['a wrong ClusterNetworkPolicy apiVersion', { ...cnp({}), apiVersion: 'policy.networking.k8s.io/v1alpha1' }, /^g\.yaml#0: apiVersion: /],
    ["Calico's internal crd.projectcalico.org/v1", gnp({}, 'crd.projectcalico.org/v1'), /^g\.yaml#0: apiVersion: must be projectcalico\.org\/v3 \(crd\.projectcalico\.org\/v1 is Calico's internal storage/],
    ["a policy in Calico's default tier", gnp({ tier: 'default' }), /^g\.yaml#0: spec\.tier: policies in Calico's default tier are ordered together with the Kubernetes NetworkPolicies/],
    ['a Calico selector with ||', gnp({ selector: 'a == "1" || b == "2"' }), /^g\.yaml#0: spec\.selector: "\|\|" in .*terms joined by &&/],
    ['a Calico destination selector', gnp({ egress: [{ action: 'Deny', destination: { selector: 'app == "x"' } }] }), /^g\.yaml#0: spec\.egress\[0\]\.destination\.selector: not evaluated by the analysis \(it reads nets, ports\)$/],
    ['Calico ports without a protocol', gnp({ egress: [{ action: 'Deny', destination: { ports: [80] } }] }), /^g\.yaml#0: spec\.egress\[0\]\.protocol: destination\.ports needs protocol TCP, UDP or SCTP$/],
    ['a Calico service account selector', gnp({ serviceAccountSelector: 'role == "x"' }), /^g\.yaml#0: spec\.serviceAccountSelector: not evaluated by the analysis/],
    ['a Calico policy without types', { ...gnp({}), spec: { tier: 'guard', order: 1 } }, /^g\.yaml#0: spec\.types: is required/],
  ];
  for (const [name, value, message] of rows)
    it(name, () => {
      const found = problems(value);
      assert.ok(found.length > 0, 'accepted');
      assert.match(found[0]!, message);
    });
});
