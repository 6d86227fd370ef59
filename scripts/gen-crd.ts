// Writes the CRD files (crds/ and manifests/crd/) from src/api/crd.ts (npm run crd).
import { writeFileSync } from 'node:fs';
import { CRD_PATHS, crdYaml } from '../src/api/crd-file.js';

for (const path of CRD_PATHS) {
  writeFileSync(path, crdYaml());
  console.log(`wrote ${path}`);
}
