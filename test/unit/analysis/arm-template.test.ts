// The AKS ARM template check, on inline tables and on the shipped examples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkArmTemplate, parameterValuesFromFile } from '../../../src/analysis/arm-template.js';

const cluster = (name: string, networkProfile?: Record<string, unknown>) => ({
  type: 'Microsoft.ContainerService/managedClusters',
  name,
  properties: networkProfile === undefined ? {} : { networkProfile },
});
const example = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../../examples/analysis/arm/${file}`, import.meta.url), 'utf8'));

describe('checkArmTemplate', () => {
  const table: Array<[string, Record<string, unknown> | undefined, boolean]> = [
    ['azure', { networkPolicy: 'azure' }, true],
    ['calico', { networkPolicy: 'calico' }, true],
    ['cilium with the cilium dataplane', { networkPolicy: 'cilium', networkDataplane: 'cilium' }, true],
    ['cilium without the cilium dataplane (AKS rejects it)', { networkPolicy: 'cilium' }, false],
    ['cilium with the azure dataplane', { networkPolicy: 'cilium', networkDataplane: 'azure' }, false],
    ['cilium dataplane with azure policy', { networkPolicy: 'azure', networkDataplane: 'cilium' }, false],
    ['azure with the azure dataplane', { networkPolicy: 'azure', networkDataplane: 'azure' }, true],
    ['case-insensitive', { networkPolicy: 'Calico' }, true],
    ['none', { networkPolicy: 'none' }, false],
    ['unset networkPolicy', { networkPlugin: 'azure' }, false],
    ['no networkProfile', undefined, false],
    ['non-string', { networkPolicy: true }, false],
    ['empty string', { networkPolicy: '' }, false],
  ];
  for (const [name, profile, ok] of table) {
    it(`${name} -> ${ok ? 'passes' : 'fails'}`, () => {
      const report = checkArmTemplate({ resources: [cluster('c1', profile)] });
      assert.equal(report.ok, ok);
      assert.equal(report.clusters.length, 1);
      assert.equal(report.clusters[0]!.name, 'c1');
    });
  }

  it('says the engine can be changed with az aks update (not only at creation), and which guardrails backend fits', () => {
    const failing = checkArmTemplate({ resources: [cluster('c', { networkPolicy: 'none' })] }).clusters[0]!;
    assert.match(failing.reason, /az aks update .*--network-policy cilium --network-dataplane cilium.*no redeploy/);
    assert.doesNotMatch(failing.reason, /creation/);
    const azure = checkArmTemplate({ resources: [cluster('c', { networkPolicy: 'azure' })] }).clusters[0]!;
    assert.equal(azure.guardrailsBackend, 'NetworkPolicy');
    assert.match(azure.reason, /Azure NPM is retiring/);
    const cilium = checkArmTemplate({ resources: [cluster('c', { networkPolicy: 'cilium', networkDataplane: 'cilium' })] }).clusters[0]!;
    assert.deepEqual([cilium.guardrailsBackend, cilium.networkDataplane], ['Cilium', 'cilium']);
    const calico = checkArmTemplate({ resources: [cluster('c', { networkPolicy: 'calico' })] }).clusters[0]!;
    assert.equal(calico.guardrailsBackend, 'NetworkPolicy');
    assert.match(checkArmTemplate({ resources: [cluster('c', { networkPolicy: 'cilium' })] }).clusters[0]!.reason, /networkPolicy cilium needs networkDataplane cilium \(it is not set\)/);
  });

  it('ignores other resource types and passes a template without clusters', () => {
    assert.deepEqual(checkArmTemplate({ resources: [{ type: 'Microsoft.Network/virtualNetworks', name: 'v' }] }), { ok: true, clusters: [] });
  });

  it('reports each failing cluster by name and path, including nested resources arrays', () => {
    const report = checkArmTemplate({
      resources: [cluster('good', { networkPolicy: 'azure' }), { type: 'Microsoft.Resources/resourceGroups', name: 'rg', resources: [cluster('child', { networkPolicy: 'none' })] }],
    });
    assert.equal(report.ok, false);
    assert.deepEqual(report.clusters.filter((c) => !c.ok).map((c) => [c.name, c.path]), [['child', 'resources[1].resources[0]']]);
  });

  it('resolves parameters() and variables() references, and reports other expressions as unresolvable', () => {
    const template = {
      parameters: { np: { type: 'string', defaultValue: 'calico' }, name: { type: 'string' } },
      variables: { policy: "[parameters('np')]" },
      resources: [cluster("[parameters('name')]", { networkPolicy: "[variables('policy')]" }), cluster('expr', { networkPolicy: "[if(true(), 'azure', 'none')]" })],
    };
    const report = checkArmTemplate(template, { name: 'from-params-file' });
    assert.deepEqual(report.clusters.map((c) => [c.name, c.ok, c.networkPolicy]), [['from-params-file', true, 'calico'], ['expr', false, undefined]]);
    assert.match(report.clusters[1]!.reason, /cannot evaluate/);
    assert.equal(checkArmTemplate(template, { np: 'none' }).clusters[0]!.ok, false);
  });

  it('handles languageVersion 2.0 symbolic resources', () => {
    const report = checkArmTemplate({ languageVersion: '2.0', resources: { aks: { type: 'Microsoft.ContainerService/managedClusters', name: 'sym', properties: { networkProfile: { networkPolicy: 'kubenet' } } } } });
    assert.deepEqual(report.clusters.map((c) => [c.name, c.path, c.ok]), [['sym', 'resources.aks', false]]);
  });

  it('walks nested deployments, with inner-scope parameters from the deployment', () => {
    const report = checkArmTemplate({
      parameters: { outerPolicy: { type: 'string', defaultValue: 'azure' } },
      resources: [
        { type: 'Microsoft.Resources/deployments', name: 'outer-scope', properties: { template: { resources: [cluster('o', { networkPolicy: "[parameters('outerPolicy')]" })] } } },
        {
          type: 'Microsoft.Resources/deployments',
          name: 'inner-scope',
          properties: {
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { p: { value: 'none' } },
            template: { parameters: { p: { type: 'string' } }, resources: [cluster('i', { networkPolicy: "[parameters('p')]" })] },
          },
        },
      ],
    });
    assert.deepEqual(report.clusters.map((c) => [c.name, c.ok, c.networkPolicy]), [['o', true, 'azure'], ['i', false, 'none']]);
  });

  it('reports a non-object template', () => assert.equal(checkArmTemplate([1, 2]).ok, false));

  it('reads deployment parameters files', () => {
    assert.deepEqual(parameterValuesFromFile({ parameters: { a: { value: 1 }, b: { reference: {} } } }), { a: 1 });
    assert.equal(parameterValuesFromFile({}), undefined);
  });

  describe('shipped examples', () => {
    it('aks-enforced.json passes', () => {
      const report = checkArmTemplate(example('aks-enforced.json'));
      assert.deepEqual(report.clusters.map((c) => [c.name, c.ok]), [['prod-aks', true], ['batch-aks', true]]);
    });
    it('aks-not-enforced.json fails for all three clusters', () => {
      const report = checkArmTemplate(example('aks-not-enforced.json'));
      assert.equal(report.ok, false);
      assert.deepEqual(report.clusters.map((c) => [c.name, c.ok]), [['dev-aks', false], ['test-aks', false], ['edge-aks', false]]);
    });
  });
});
