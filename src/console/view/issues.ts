// Validation messages by field: zod issues of the profile schema and the compiler's errors (which name
// their field as `spec.allow[0].to.ipBlock.cidr: ...`), keyed by pathKey so each input shows its own.
import type { z } from 'zod';
import { compileProfile, type ClusterFacts, type CompiledProfile } from '../../compile/render.js';
import { profileWarnings } from '../../compile/warnings.js';
import { segmentationProfileSchema, type SegmentationProfile } from '../../api/profile.js';
import { pathKey } from './paths.js';

export type FieldIssues = ReadonlyMap<string, string[]>;

export interface ProfileCheck {
  /** The parsed profile (defaults filled in) when the schema accepts it. */
  profile?: SegmentationProfile;
  /** Present when it also compiles. */
  compiled?: CompiledProfile;
  issues: FieldIssues;
  /** Every message as `path: message`, for a summary. */
  all: string[];
  /** Parts of a valid profile that can have no effect (the compiler's profileWarnings), by field. */
  warnings: FieldIssues;
}

function add(map: Map<string, string[]>, key: string, message: string): void {
  map.set(key, [...(map.get(key) ?? []), message]);
}

export function zodIssuesByField(error: z.ZodError): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') for (const key of issue.keys) add(out, pathKey([...issue.path, key]), 'unknown field');
    else add(out, pathKey(issue.path), issue.message);
  }
  return out;
}

/**
 * Schema, then compiler, then the no-effect warnings: what `segmentation validate` and the operator would
 * say, by field. `facts` are the cluster's (the API server's endpoints, for spec.apiServer).
 */
export function checkProfile(value: unknown, facts: ClusterFacts = {}): ProfileCheck {
  const parsed = segmentationProfileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssuesByField(parsed.error);
    return { issues, all: [...issues].flatMap(([k, ms]) => ms.map((m) => `${k || '(root)'}: ${m}`)), warnings: new Map() };
  }
  const warnings = new Map<string, string[]>();
  for (const w of profileWarnings(parsed.data)) add(warnings, w.path, w.message);
  const result = compileProfile(parsed.data, facts);
  if (result.ok) return { profile: parsed.data, compiled: result.compiled, issues: new Map(), all: [], warnings };
  const issues = new Map<string, string[]>();
  for (const error of result.errors) {
    const colon = error.indexOf(': ');
    if (colon > 0) add(issues, error.slice(0, colon), error.slice(colon + 2));
    else add(issues, '', error);
  }
  return { profile: parsed.data, issues, all: result.errors, warnings };
}
