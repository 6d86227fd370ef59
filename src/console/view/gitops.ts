// Is a profile owned by a GitOps tool? Then the console must not write it (the tool would revert it, or
// fight it): it shows a banner and offers "copy YAML" instead of Save.

export interface OwnerHints {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Field managers from metadata.managedFields. */
  managers?: readonly string[];
}

export interface GitOpsOwner {
  tool: 'Argo CD' | 'Flux';
  evidence: string;
}

const ARGO_ANNOTATION = 'argocd.argoproj.io/tracking-id';
const ARGO_LABEL = 'app.kubernetes.io/instance';
const FLUX_LABELS = ['kustomize.toolkit.fluxcd.io/name', 'helm.toolkit.fluxcd.io/name'];
const MANAGERS: Record<string, GitOpsOwner['tool']> = {
  'argocd-controller': 'Argo CD',
  'argocd-application-controller': 'Argo CD',
  'kustomize-controller': 'Flux',
  'helm-controller': 'Flux',
};

export function gitOpsOwner(hints: OwnerHints): GitOpsOwner | undefined {
  const annotations = hints.annotations ?? {};
  const labels = hints.labels ?? {};
  if (annotations[ARGO_ANNOTATION] !== undefined) return { tool: 'Argo CD', evidence: `annotation ${ARGO_ANNOTATION}=${annotations[ARGO_ANNOTATION]}` };
  for (const key of FLUX_LABELS) if (labels[key] !== undefined) return { tool: 'Flux', evidence: `label ${key}=${labels[key]}` };
  for (const m of hints.managers ?? []) {
    const tool = MANAGERS[m];
    if (tool) return { tool, evidence: `field manager ${m}` };
  }
  // Argo CD's default (label) tracking: weaker evidence, the label is common in Helm charts too.
  if (labels[ARGO_LABEL] !== undefined) return { tool: 'Argo CD', evidence: `label ${ARGO_LABEL}=${labels[ARGO_LABEL]} (Argo CD label tracking)` };
  return undefined;
}
