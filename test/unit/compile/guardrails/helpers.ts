// Compiling test profiles for a guardrails backend.
import type { SegmentationProfile } from '../../../../src/api/profile.js';
import { segmentationProfileSchema } from '../../../../src/api/profile.js';
import type { CompiledProfile } from '../../../../src/compile/render.js';
import { compileProfile } from '../../../../src/compile/render.js';
import type { ResolvedBackend } from '../../../../src/compile/guardrails/index.js';
import { ARBITRARY_FACTS } from '../arbitraries.js';

export function compileFor(profile: SegmentationProfile, backend?: ResolvedBackend): CompiledProfile {
  const result = compileProfile(profile, ARBITRARY_FACTS, { guardrails: { override: backend } });
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.compiled;
}

export function compileInput(input: Record<string, unknown>): CompiledProfile | undefined {
  const result = compileProfile(segmentationProfileSchema.parse(input), ARBITRARY_FACTS, { guardrails: {} });
  return result.ok ? result.compiled : undefined;
}
