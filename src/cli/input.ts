// Reading user-supplied YAML/JSON files: the one place that turns bytes into documents,
// so every command reports bad input the same way (file, document index, field path).
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';

/** A user-facing input error: one line, naming the file and, where known, the document and field. */
export class InputError extends Error {
  /** `cause`: the error behind it (e.g. a KubeApiError whose HTTP status a command decides on). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** One parsed document with where it came from, for error messages. */
export interface SourceDocument {
  file: string;
  /** 0-based index of the YAML document in the file (or of the item in a v1 List). */
  index: number;
  value: unknown;
}

/** Human label for a document's position, e.g. `profiles.yaml#2` or `ns.yaml#0.items[3]`. */
export function describeSource(doc: Pick<SourceDocument, 'file' | 'index'>): string {
  return `${doc.file}#${doc.index}`;
}

async function readText(file: string, stdin: () => Promise<string>): Promise<string> {
  if (file === '-') return stdin();
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: cannot read file (${code ?? (err as Error).message})`);
  }
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses multi-document YAML (JSON is YAML) and flattens `kind: List` / `*List` documents
 * (the output of `kubectl get -o yaml`) into their items. Empty documents are dropped.
 */
export function parseDocuments(file: string, text: string): SourceDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const out: SourceDocument[] = [];
  // parseAllDocuments returns an EmptyStream (array-like) for empty input.
  let index = 0;
  for (const doc of Array.from(docs)) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0];
      const where = line ? `line ${line.line}, column ${line.col}` : `document ${index}`;
      throw new InputError(`${file}: malformed YAML at ${where}: ${firstLine(error.message)}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) {
      index++;
      continue;
    }
    if (isList(value)) {
      for (const item of value.items) out.push({ file, index, value: item });
    } else {
      out.push({ file, index, value });
    }
    index++;
  }
  return out;
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function firstLine(message: string): string {
  // prettyErrors appends " at line L, column C:" and a code excerpt; we print the position ourselves.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** Reads and parses one file (`-` for stdin). Stdin can only be read once per process. */
export async function readDocuments(file: string, stdin: () => Promise<string> = readAllStdin): Promise<SourceDocument[]> {
  return parseDocuments(file, await readText(file, stdin));
}

/** Formats a zod issue path as a field path: `spec.allow[0].ports[1].port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Every problem zod found, one line each, prefixed with the document's position. */
export function describeZodIssues(doc: Pick<SourceDocument, 'file' | 'index'>, error: z.ZodError): string[] {
  return zodIssueLines(describeSource(doc), error);
}

/** Every problem zod found, one line each, prefixed with `where` (a document's position, a live object's name). */
function zodIssueLines(where: string, error: z.ZodError): string[] {
  return error.issues.flatMap((issue) =>
    // Name each unknown field by its full path, as kubectl's strict field validation does.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${where}: ${formatPath([...issue.path, key])}: unknown field`)
      : [`${where}: ${formatPath(issue.path)}: ${issueMessage(issue)}`],
  );
}

/** zod says "Invalid input: expected object, received undefined" for a missing field; users say "required". */
function issueMessage(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? `is required (${issue.expected})` : issue.message;
}

/** Parses one document with a zod schema, throwing an InputError that names file, document and field. */
export function parseWith<T>(schema: z.ZodType<T>, doc: SourceDocument): T {
  return parseValue(schema, doc.value, describeSource(doc));
}

/**
 * Parses `value` with a zod schema, throwing a one-line InputError that starts with `where` (a document's
 * position, a live object's name) and names the field; `hint`, when given, ends it (what the user can do).
 */
export function parseValue<T>(schema: z.ZodType<T>, value: unknown, where: string, hint?: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const lines = zodIssueLines(where, result.error);
  throw new InputError(`${lines.length === 1 ? lines[0]! : `${lines[0]} (and ${lines.length - 1} more problem(s))`}${hint ? `; ${hint}` : ''}`);
}

/** Commander collector for repeatable options (`--policies a.yaml --policies b.yaml`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
