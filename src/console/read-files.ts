// Reading the offline inputs. JSON files (`kubectl get ... -o json`) are parsed with JSON.parse: the YAML
// parser took 9.4 s for a 6 MB List of 20,000 NetworkPolicies, JSON.parse a fraction of a second. Anything
// else (YAML, multi-document, stdin) goes through the CLI's readDocuments, so errors read the same.
import { readFile } from 'node:fs/promises';
import { parseDocuments, readDocuments, type SourceDocument } from '../cli/input.js';

function jsonDocuments(file: string, value: unknown): SourceDocument[] {
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v === 'object' && v !== null && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) return v.items.map((item) => ({ file, index: 0, value: item }));
  return [{ file, index: 0, value }];
}

export async function readInputDocuments(file: string): Promise<SourceDocument[]> {
  if (file === '-') return readDocuments(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return readDocuments(file); // the CLI's message for an unreadable file
  }
  if (/^\s*\{/.test(text)) {
    try {
      return jsonDocuments(file, JSON.parse(text));
    } catch {
      // not plain JSON after all (or malformed): the YAML parser reports it with line and column
    }
  }
  return parseDocuments(file, text);
}
