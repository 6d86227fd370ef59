// Live mode: reads the cluster with the user's own kubeconfig through the project's one Kubernetes client
// (src/kube), so the user's RBAC applies and nothing new is granted. Save is a server-side apply of the
// profile with its own field manager, never forced: a conflict with another manager is shown, not won.
import type { V1DaemonSet, V1Node } from '@kubernetes/client-node';
import { API_SERVER_SERVICE, apiServerEndpoints, type EndpointSliceObject } from '../api/apiserver-endpoints.js';
import { SERVICE_NAME_LABEL } from '../compile/labels.js';
import { API_VERSION, KIND, segmentationProfileSchema } from '../api/profile.js';
import { listAll, NAMESPACES_PATH, NETWORK_POLICIES_PATH, PROFILES_PATH } from '../kube/api.js';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig } from '../kube/config.js';
import { KubeApiError, statusCodeOf } from '../kube/errors.js';
import { computeFindings } from './findings.js';
import type { ConsoleSource } from './source.js';
import { trimNamespace, trimPod, trimPolicy, trimProfile } from './trim.js';
import type { ApplyResult, EventEntry, Snapshot } from './view/snapshot.js';

export const CONSOLE_FIELD_MANAGER = 'segmentation-console';

type Obj = Parameters<typeof trimNamespace>[0];

interface RawEvent {
  involvedObject?: { kind?: string; name?: string };
  type?: string;
  reason?: string;
  message?: string;
  eventTime?: string;
  lastTimestamp?: string;
  metadata?: { creationTimestamp?: string };
}

/** The body Save sends: validated by the same schema, then only what a user owns (no status, no server fields). */
export function applyBody(profile: unknown): { ok: true; body: Record<string, unknown>; name: string } | { ok: false; message: string } {
  const parsed = segmentationProfileSchema.safeParse(profile);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const input = profile as { metadata: { name: string; labels?: unknown; annotations?: unknown }; spec: unknown };
  const m = input.metadata;
  const metadata = { name: m.name, ...(m.labels ? { labels: m.labels } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) };
  return { ok: true, name: m.name, body: { apiVersion: API_VERSION, kind: KIND, metadata, spec: input.spec } };
}

export function liveSource(kubeconfigPath: string | undefined): ConsoleSource {
  const kc = loadKubeConfig(kubeconfigPath);
  const client = new KubeClient(kc);
  const context = kc.getCurrentContext();
  const description = `cluster ${kc.getCurrentCluster()?.server ?? '?'} (context ${context || '(none)'})`;

  return {
    mode: 'live',
    description,
    async load(): Promise<Omit<Snapshot, 'readOnly'>> {
      const started = performance.now();
      const warnings: string[] = [];
      // A list the user may not read (RBAC) or a CRD that is not installed is a warning, not a failure.
      const tolerant = async <T>(what: string, path: string, query?: Record<string, string>): Promise<T[] | undefined> => {
        try {
          return (await listAll<T>(client, path, query ? { query } : {})).items;
        } catch (err) {
          const code = statusCodeOf(err);
          if (code === 403 || code === 404) {
            warnings.push(`cannot list ${what}: ${err instanceof KubeApiError ? `${err.statusCode} ${err.reason}` : String(err)}`);
            return undefined;
          }
          throw err;
        }
      };
      const [namespaces, pods, policies, profiles, events, daemonSets, nodes, slices] = await Promise.all([
        listAll<Obj>(client, NAMESPACES_PATH).then((r) => r.items),
        tolerant<Obj>('pods', '/api/v1/pods'),
        listAll<Obj>(client, NETWORK_POLICIES_PATH).then((r) => r.items),
        tolerant<Obj>('SegmentationProfiles (is the CRD installed?)', PROFILES_PATH),
        tolerant<RawEvent>('events', '/api/v1/events', { fieldSelector: `involvedObject.kind=${KIND}` }),
        tolerant<V1DaemonSet>('daemonsets', '/apis/apps/v1/daemonsets'),
        tolerant<V1Node>('nodes', '/api/v1/nodes'),
        tolerant<EndpointSliceObject>('the kubernetes EndpointSlice (spec.apiServer)', `/apis/discovery.k8s.io/v1/namespaces/${API_SERVER_SERVICE.namespace}/endpointslices`, { labelSelector: `${SERVICE_NAME_LABEL}=${API_SERVER_SERVICE.name}` }),
      ]);
      const apiServer = apiServerEndpoints(slices ?? []);
      const nsList = namespaces.map(trimNamespace).sort((a, b) => (a.name < b.name ? -1 : 1));
      const podList = (pods ?? []).map(trimPod);
      const policyList = policies.map(trimPolicy);
      const eventList: EventEntry[] = (events ?? [])
        .map((e) => ({ profile: e.involvedObject?.name ?? '', type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '', time: e.eventTime ?? e.lastTimestamp ?? e.metadata?.creationTimestamp ?? '' }))
        .sort((a, b) => (a.time < b.time ? 1 : -1))
        .slice(0, 200);
      const findings = computeFindings({ namespaces: nsList, pods: podList, policies: policyList, ...(daemonSets ? { daemonSets } : {}), ...(nodes ? { nodes } : {}) });
      return {
        mode: 'live',
        source: description,
        namespaces: nsList,
        pods: podList,
        policies: policyList,
        profiles: (profiles ?? []).map((p) => trimProfile(p)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)),
        facts: apiServer ? { apiServer } : {},
        events: eventList,
        ...findings,
        warnings,
        loadedAt: new Date().toISOString(),
        loadMs: Math.round(performance.now() - started),
      };
    },
    async applyProfile(profile: unknown, dryRun: boolean): Promise<ApplyResult> {
      const body = applyBody(profile);
      if (!body.ok) return { outcome: 'invalid', message: body.message };
      try {
        const object = await client.request('PATCH', `${PROFILES_PATH}/${encodeURIComponent(body.name)}`, {
          query: { fieldManager: CONSOLE_FIELD_MANAGER, ...(dryRun ? { dryRun: 'All' } : {}) },
          body: body.body,
          contentType: 'application/apply-patch+yaml',
          ...(dryRun ? {} : { write: { resource: 'segmentationprofiles', verb: 'apply' as const } }),
        });
        return { outcome: dryRun ? 'dry-run' : 'applied', message: dryRun ? 'the API server accepted the profile (dry run: nothing was saved)' : `saved with field manager ${CONSOLE_FIELD_MANAGER}`, object };
      } catch (err) {
        if (!(err instanceof KubeApiError)) return { outcome: 'error', message: String((err as Error).message ?? err) };
        const message = err.message.replace(/^PATCH \S+: /, '');
        if (err.statusCode === 409) return { outcome: 'conflict', message: `${message} (not forced: another field manager owns these fields; change them where they are managed, e.g. in Git)` };
        if (err.statusCode === 422 || err.statusCode === 400) return { outcome: 'invalid', message };
        if (err.statusCode === 403) return { outcome: 'forbidden', message };
        return { outcome: 'error', message };
      }
    },
  };
}
