// docs/crd-reference.md is generated from the CRD (UPDATE_GOLDEN=1 rewrites it), and every field of the
// CRD has a description, so that `kubectl explain segmentationprofile.spec` explains every field.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrd } from '../../../src/api/crd.js';
import { crdReference, fields } from './crd-reference.js';
import { REPO_ROOT } from './load.js';

const DOC = join(REPO_ROOT, 'docs', 'crd-reference.md');

describe('CRD reference documentation', () => {
  const crd = buildCrd();
  const root = (crd as { spec: { versions: { schema: { openAPIV3Schema: Parameters<typeof fields>[0] } }[] } }).spec.versions[0]!.schema.openAPIV3Schema;

  it('every field of spec and status has a description (kubectl explain)', () => {
    const all = [...fields(root.properties!.spec!, 'spec', true), ...fields(root.properties!.status!, 'status', true)];
    assert.ok(all.length > 40, `only ${all.length} fields`);
    const missing = all.filter((r) => !r.schema.description?.trim()).map((r) => r.path);
    assert.deepEqual(missing, [], 'fields without a description (add them in src/api/crd.ts)');
    for (const top of ['spec', 'status']) assert.ok(root.properties![top]!.description, `${top} has no description`);
  });

  it('docs/crd-reference.md is the generated reference (UPDATE_GOLDEN=1 to regenerate, then review)', () => {
    const text = crdReference(crd);
    if (process.env.UPDATE_GOLDEN) writeFileSync(DOC, text);
    assert.equal(readFileSync(DOC, 'utf8'), text);
  });

  it('documents every field path, defaults and CEL messages', () => {
    const text = crdReference(crd);
    for (const path of ['spec.allow[].to.ipBlock.except', 'spec.instanceMetadata.cidrs', 'status.conditions[].observedGeneration', 'status.dryRun.sample'])
      assert.ok(text.includes(`| \`${path}\` |`), path);
    assert.ok(text.includes('`["169.254.169.254/32","fd00:ec2::254/128"]`'), 'default of instanceMetadata.cidrs');
    assert.ok(text.includes('endPort requires a numeric port'), 'CEL rule message on ports');
  });
});
