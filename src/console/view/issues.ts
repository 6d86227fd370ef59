// Validation messages by field: zod issues of the profile schema and the compiler's errors (which name
// their field as `spec.allow[0].to.ipBlock.cidr: ...`), keyed by pathKey so each input shows its own.
import type { z } from 'zod';
import { compileProfile, type CompiledProfile } from '../../compile/render.js';
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

/** Schema, then compiler: what `segmentation validate` and the operator would say, by field. */
export function checkProfile(value: unknown): ProfileCheck {
  const parsed = segmentationProfileSchema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssuesByField(parsed.error);
    return { issues, all: [...issues].flatMap(([k, ms]) => ms.map((m) => `${k || '(root)'}: ${m}`)) };
  }
  const result = compileProfile(parsed.data);
  if (result.ok) return { profile: parsed.data, compiled: result.compiled, issues: new Map(), all: [] };
  const issues = new Map<string, string[]>();
  for (const error of result.errors) {
    const colon = error.indexOf(': ');
    if (colon > 0) add(issues, error.slice(0, colon), error.slice(colon + 2));
    else add(issues, '', error);
  }
  return { profile: parsed.data, issues, all: result.errors };
}
