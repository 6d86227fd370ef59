// The metadata audit with guardrails: a namespace that NetworkPolicies expose is reported as "blocked by
// guardrail" instead of exposed when a cluster-scoped guardrail denies the metadata endpoint (TCP 80, the
// metadata service's port) to every probe pod there: each existing pod when pods were given, otherwise a
// pod with no labels (pods a metadata exception selects are intended, and listed by the audit already).
import type { MetadataExposureReport, NamespaceMetadataExposure } from '../audit-metadata.js';
import { parseCidr } from '../cidr.js';
import { evaluateConnection } from '../evaluate.js';
import { hypotheticalPod, type ClusterModel, type Endpoint, type PodInfo } from '../model.js';
import { decidedByGuardrail } from './evaluate.js';

export interface GuardedNamespaceExposure extends NamespaceMetadataExposure {
  /** The guardrail rules that block what the NetworkPolicies left open (exposed is then false). */
  blockedByGuardrail?: string[];
}

export interface GuardedMetadataReport extends MetadataExposureReport {
  namespaces: GuardedNamespaceExposure[];
}

const METADATA_PORT = { protocol: 'TCP' as const, port: 80 };

/** `model` carries the guardrails (ClusterModel.guardrails); without them the report comes back unchanged. */
export function applyGuardrailsToAudit(report: MetadataExposureReport, model: ClusterModel, podsGiven: boolean): GuardedMetadataReport {
  if (!model.guardrails) return report;
  const targets: Endpoint[] = report.metadataCidrs.map((text) => {
    const cidr = parseCidr(text)!;
    return { kind: 'ip', ip: { family: cidr.family, value: cidr.first } };
  });
  const namespaces = report.namespaces.map((ns): GuardedNamespaceExposure => {
    if (!ns.exposed) return ns;
    const probes: PodInfo[] = podsGiven ? model.pods.filter((p) => p.namespace === ns.namespace && !p.hostNetwork) : [hypotheticalPod(ns.namespace, {})];
    const hostNetwork = podsGiven && model.pods.some((p) => p.namespace === ns.namespace && p.hostNetwork);
    if (probes.length === 0 || hostNetwork) return ns; // hostNetwork pods escape every policy and guardrail
    const blockers = new Set<string>();
    for (const pod of probes) {
      for (const to of targets) {
        const side = evaluateConnection(model, { kind: 'pod', pod }, to, METADATA_PORT).guardrails!.egress!;
        if (side.allowed || !decidedByGuardrail(side)) return ns;
        blockers.add(side.by!);
      }
    }
    return { ...ns, exposed: false, blockedByGuardrail: [...blockers].sort() };
  });
  return { ...report, namespaces, exposed: namespaces.some((n) => n.exposed) };
}
