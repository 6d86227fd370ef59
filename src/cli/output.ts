// Writing Kubernetes objects for people and for Git: stable multi-document YAML or a v1 List in JSON.
import { stringify } from 'yaml';

export type Writer = (text: string) => void;

export const stdoutWriter: Writer = (text) => {
  process.stdout.write(text);
};

export function toYamlDocuments(objects: readonly unknown[]): string {
  // lineWidth 0: never fold long strings, so diffs in Git stay one line per field.
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

export function toJsonList(objects: readonly unknown[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
}
