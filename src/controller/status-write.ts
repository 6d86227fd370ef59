// The status controller's write function: a profile's status from its namespace outcomes and the last
// cluster scan (profileStatus, pure), the Warning Events owed for conditions that just turned False, and a
// patch only when the status differs from the server's.
import { API_VERSION, KIND, type ProfileStatus } from '../api/profile.js';
import { patchProfileStatus, type ProfileObject } from '../kube/api.js';
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import type { Informer } from '../kube/informer.js';
import type { NamespaceInfo } from '../compile/select.js';
import type { ClusterFindings } from './findings.js';
import type { GuardrailOutcome } from './guardrail-condition.js';
import type { Logger } from './log.js';
import type { OperatorMetrics } from './metrics.js';
import type { OutcomeStore } from './outcomes.js';
import { profileStatus } from './profile-status.js';
import type { ProfileRegistry } from './profiles.js';
import { statusEqual } from './status.js';

export interface StatusWriteDeps {
  client: KubeClient;
  profiles: Pick<Informer<ProfileObject>, 'get'>;
  registry: ProfileRegistry;
  outcomes: OutcomeStore;
  events: EventRecorder;
  metrics: OperatorMetrics;
  log: Logger;
  findings: () => ClusterFindings | undefined;
  /** The guardrail controller's last outcome for a profile. */
  guardrailOutcome?: (profile: string) => GuardrailOutcome | undefined;
  namespaceInfos: () => NamespaceInfo[];
}

export async function writeProfileStatus(d: StatusWriteDeps, name: string): Promise<void> {
  const known = d.registry.get(name);
  const raw = d.profiles.get(name);
  if (!known || !raw || raw.metadata?.deletionTimestamp) return;
  const previous = raw.status as ProfileStatus | undefined;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { next, events } = profileStatus({ known, previous, outcomes: d.outcomes.outcomes(name), namespaces: d.namespaceInfos(), findings: d.findings(), guardrail: d.guardrailOutcome?.(name), now });
  const target = { apiVersion: API_VERSION, kind: KIND, name, ...(known.raw.metadata?.uid ? { uid: known.raw.metadata.uid } : {}) };
  for (const e of events) d.events.record(target, 'Warning', e.reason, e.message, 'Check');
  if (statusEqual(previous, next)) return;
  await patchProfileStatus(d.client, name, next as Record<string, unknown>, previous as Record<string, unknown> | undefined);
  d.metrics.statusWrites.inc();
  d.log.info('profile status updated', { profile: name, ready: next.conditions?.[0]?.status, matchedNamespaces: next.matchedNamespaces, policies: next.policies });
}
