// The benchmark's SegmentationProfile: default deny both ways, DNS, and backend -> database (ingress
// on database, egress on backend): 4 NetworkPolicies per namespace. The fan-out rule adds exactly one
// more per namespace (egress to an ipBlock has no ingress side).
import { API_VERSION, KIND, segmentationProfileSchema, type SegmentationProfileInput } from '../../src/api/profile.js';
import { compileProfile, renderNamespace } from '../../src/compile/render.js';

/** Label that selects the benchmark's namespaces; its value is the run id. */
export const BENCH_LABEL = 'bench.segmentation.dev/run';

export const FANOUT_RULE = {
  name: 'backend-to-payments',
  description: 'Added by the benchmark to measure profile change fan-out.',
  from: { podSelector: { matchLabels: { app: 'backend' } } },
  to: { ipBlock: { cidr: '203.0.113.0/24' } },
  ports: [{ protocol: 'TCP' as const, port: 443 }],
};

export function benchProfile(name: string, runId: string, withFanoutRule = false): SegmentationProfileInput {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name },
    spec: {
      namespaceSelector: { matchLabels: { [BENCH_LABEL]: runId } },
      defaultDeny: { ingress: true, egress: true },
      allow: [
        {
          name: 'backend-to-database',
          from: { podSelector: { matchLabels: { app: 'backend' } } },
          to: { podSelector: { matchLabels: { app: 'database' } } },
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
        ...(withFanoutRule ? [FANOUT_RULE] : []),
      ],
    },
  };
}

/** Names of the policies the profile renders for a selected namespace (the same for every one). */
export function renderedNames(profile: SegmentationProfileInput, runId: string): string[] {
  const parsed = segmentationProfileSchema.parse(profile);
  const compiled = compileProfile(parsed);
  if (!compiled.ok) throw new Error(compiled.errors.join('; '));
  return renderNamespace(compiled.compiled, { name: 'bench-probe', labels: { [BENCH_LABEL]: runId } }).map((p) => p.metadata.name);
}
