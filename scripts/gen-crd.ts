// Writes crds/segmentationprofiles.segmentation.dev.yaml from src/api/crd.ts (npm run crd).
import { writeFileSync } from 'node:fs';
import { crdYaml, CRD_PATH } from '../src/api/crd-file.js';

writeFileSync(CRD_PATH, crdYaml());
console.log(`wrote ${CRD_PATH}`);
