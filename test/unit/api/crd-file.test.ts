import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CRD_PATHS, crdYaml } from '../../../src/api/crd-file.js';

describe('CRD files', () => {
  for (const path of CRD_PATHS) {
    it(`${path.slice(path.lastIndexOf('/', path.lastIndexOf('/') - 1) + 1)} is exactly what src/api/crd.ts generates (run \`npm run crd\` after changing it)`, () => {
      assert.equal(readFileSync(path, 'utf8'), crdYaml());
    });
  }
});
