import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CRD_PATH, crdYaml } from '../../../src/api/crd-file.js';

describe('crds/ file', () => {
  it('is exactly what src/api/crd.ts generates (run `npm run crd` after changing it)', () => {
    assert.equal(readFileSync(CRD_PATH, 'utf8'), crdYaml());
  });
});
