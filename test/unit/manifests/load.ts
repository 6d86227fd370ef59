// Reads manifests/ the way `kubectl apply -k` does for a kustomization that only lists `resources`:
// every file in order, every YAML document in each file. Shared by the unit and integration tests.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MANIFESTS_DIR = join(REPO_ROOT, 'manifests');
export const EXAMPLES_DIR = join(MANIFESTS_DIR, 'examples');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface ManifestDoc {
  /** Path relative to the repository root. */
  file: string;
  object: K8sObject;
}

export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources: string[];
  [key: string]: unknown;
}

/** Parses every document of a YAML file; throws with the file name on any YAML error. */
export function parseYamlFile(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { prettyErrors: true });
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(REPO_ROOT, path)}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function readKustomization(dir: string): Kustomization {
  const [k] = parseYamlFile(join(dir, 'kustomization.yaml')) as Kustomization[];
  if (!k || !Array.isArray(k.resources)) throw new Error(`${relative(REPO_ROOT, dir)}/kustomization.yaml has no resources list`);
  return k;
}

/** The objects a kustomization lists, in order (directories are followed through their own kustomization). */
export function loadKustomization(dir: string): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const entry of readKustomization(dir).resources) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      out.push(...loadKustomization(path));
      continue;
    }
    for (const object of parseYamlFile(path)) out.push({ file: relative(REPO_ROOT, path), object: object as K8sObject });
  }
  return out;
}

/** Every file below `dir` (relative to `dir`), recursively. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const f of filesBelow(path)) out.push(join(name, f));
    else out.push(name);
  }
  return out.sort();
}

export function findObject(docs: ManifestDoc[], kind: string, name: string): K8sObject {
  const found = docs.find((d) => d.object.kind === kind && d.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the manifests`);
  return found.object;
}

export const OPERATOR_NAMESPACE = 'segmentation-system';
export const OPERATOR_NAME = 'segmentation-operator';
