// The profile editor: a form over the whole spec with the schema's and compiler's messages on their
// fields, the namespaces it matches now, the exact policies it renders for one of them and their diff
// against the cluster, a YAML tab editable both ways, and Save (server-side apply, never forced).
import { useMemo, useRef, useState } from 'preact/hooks';
import { parse, stringify } from 'yaml';
import { renderNamespace } from '../../../src/compile/render.js';
import { NAMESPACE_NAME_LABEL } from '../../../src/compile/labels.js';
import { gitOpsOwner } from '../../../src/console/view/gitops.js';
import { checkProfile } from '../../../src/console/view/issues.js';
import { setAt, type Path } from '../../../src/console/view/paths.js';
import { diffPolicies, managedPoliciesOf } from '../../../src/console/view/policy-diff.js';
import { newProfile, POLICY_PRESETS } from '../../../src/console/view/presets.js';
import { matchedNamespaces, type CheckedProfile } from '../../../src/console/view/profiles.js';
import { routeHash } from '../../../src/console/view/route.js';
import type { ApplyResult, Snapshot } from '../../../src/console/view/snapshot.js';
import { applyProfile, type Session } from '../api.js';
import { Badge, Card, Pager } from '../components.js';
import { CheckField, ListField, SelectField, SelectorField, TextField, type FormCtx } from '../form.js';
import { AllowRules } from './rules.js';
import { ApiServerAccess, MetadataExceptions, NodeAccess } from './sections.js';

type Tab = 'form' | 'yaml';

function initialDoc(profiles: CheckedProfile[], name: string | undefined, fresh: string | null): unknown {
  const entry = profiles.find((p) => p.entry.metadata.name === name)?.entry;
  if (!entry) return newProfile(fresh || 'new-profile');
  const m = entry.metadata;
  return { apiVersion: entry.apiVersion, kind: entry.kind, metadata: { name: m.name, ...(m.labels ? { labels: m.labels } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) }, spec: entry.spec };
}

export function EditorPage(props: { state: Snapshot; profiles: CheckedProfile[]; session: Session; name: string | undefined; params: URLSearchParams; onSaved: () => Promise<void> }) {
  const { state } = props;
  const existing = props.profiles.find((p) => p.entry.metadata.name === props.name)?.entry;
  const [doc, setDoc] = useState<unknown>(() => initialDoc(props.profiles, props.name, props.params.get('new')));
  const [tab, setTab] = useState<Tab>('form');
  const [yamlText, setYamlText] = useState('');
  const [yamlError, setYamlError] = useState<string>();
  const [previewNs, setPreviewNs] = useState<string>();
  const [page, setPage] = useState(0);
  const [result, setResult] = useState<ApplyResult | undefined>(() => (props.params.get('saved') ? { outcome: 'applied', message: props.params.get('saved')! } : undefined));
  const [busy, setBusy] = useState(false);
  const check = useMemo(() => checkProfile(doc, state.facts), [doc, state.facts]);
  const ctx: FormCtx = { doc, issues: check.issues, warnings: check.warnings, set: (path: Path, value: unknown) => setDoc((d: unknown) => setAt(d, path, value)) };
  const owner = existing ? gitOpsOwner({ ...(existing.metadata.labels ? { labels: existing.metadata.labels } : {}), ...(existing.metadata.annotations ? { annotations: existing.metadata.annotations } : {}), managers: existing.managers }) : undefined;
  // While the profile is invalid, the matched namespaces of its last valid version stay on screen.
  const lastValid = useRef(check.profile);
  if (check.profile) lastValid.current = check.profile;
  const selecting = check.profile ?? lastValid.current;
  const matched = useMemo(() => (selecting ? matchedNamespaces(selecting, state.namespaces) : []), [selecting, state.namespaces]);
  const nsName = previewNs && matched.some((n) => n.name === previewNs) ? previewNs : matched[0]?.name;
  const ns = matched.find((n) => n.name === nsName);
  const rendered = useMemo(() => (check.compiled && check.profile && ns ? renderNamespace(check.compiled, { name: ns.name, labels: { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name } }) : []), [check.compiled, ns]);
  const name = check.profile?.metadata.name ?? String((doc as { metadata?: { name?: unknown } })?.metadata?.name ?? '');
  const changes = useMemo(() => (ns && check.compiled ? diffPolicies(rendered, managedPoliciesOf(state.policies, ns.name, name)) : []), [rendered, state.policies, ns, name, check.compiled]);
  const yaml = stringify(doc, { lineWidth: 0 });
  const canSave = !props.session.readOnly && state.mode === 'live' && !owner;

  const save = async (dryRun: boolean) => {
    setBusy(true);
    try {
      const r = await applyProfile(doc, dryRun);
      setResult(r);
      if (r.outcome === 'applied') {
        // Reload first, so that the page of the new profile finds it in the state.
        await props.onSaved();
        if (!existing) location.hash = routeHash(['profile', name], { saved: r.message });
      }
    } catch (err) {
      setResult({ outcome: 'error', message: String((err as Error).message ?? err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page" id="editor-page">
      <h1>
        {existing ? 'Profile' : 'New profile'} <span class="name">{name}</span>
      </h1>
      {props.name && !existing && (
        <p class="banner warn" role="note">
          There is no profile named {props.name}: this starts a new one.
        </p>
      )}
      {owner && (
        <p class="banner warn" id="gitops-banner" role="note">
          This profile is managed by {owner.tool} ({owner.evidence}). Change it in Git: copy the YAML below instead of saving here.
        </p>
      )}
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'form'} onClick={() => setTab('form')}>
          Form
        </button>
        <button
          type="button"
          role="tab"
          id="tab-yaml"
          aria-selected={tab === 'yaml'}
          onClick={() => {
            setYamlText(yaml);
            setYamlError(undefined);
            setTab('yaml');
          }}
        >
          YAML
        </button>
      </div>
      <div class="editor">
        <div class="editor-main">
          {check.all.length > 0 && (
            <div class="banner bad" id="problems" role="alert">
              {check.all.length} problem(s): {check.all.slice(0, 4).join('; ')}
              {check.all.length > 4 ? ' …' : ''}
            </div>
          )}
          {check.warnings.size > 0 && (
            <div class="banner warn" id="warnings" role="note">
              {[...check.warnings.values()].flat().length} warning(s): parts of this profile would have no effect (shown on their fields).
            </div>
          )}
          {tab === 'form' ? (
            <form class="profile-form" onSubmit={(e) => e.preventDefault()}>
              <fieldset>
                <legend>Profile</legend>
                <div class="cols">
                  <TextField ctx={ctx} path={['metadata', 'name']} label="Name" readOnly={existing !== undefined} />
                  <SelectField ctx={ctx} path={['spec', 'mode']} label="Mode" options={[{ value: 'Enforce', label: 'Enforce' }, { value: 'DryRun', label: 'DryRun (report only)' }]} fallback="Enforce" />
                </div>
              </fieldset>
              <fieldset>
                <legend>Namespaces</legend>
                <SelectorField ctx={ctx} path={['spec', 'namespaceSelector']} label="Namespace selector" optional hint="label=value, comma-separated; empty: every namespace" />
                <ListField ctx={ctx} path={['spec', 'excludeNamespaces']} label="Exclude namespaces (names or globs)" placeholder="sandbox-*, legacy" />
                <CheckField ctx={ctx} path={['spec', 'includeSystemNamespaces']} label="Include kube-system, kube-public, kube-node-lease" fallback={false} />
              </fieldset>
              <fieldset>
                <legend>Default deny</legend>
                <div class="presets">
                  Presets:{' '}
                  <button type="button" onClick={() => ctx.set(['spec', 'defaultDeny'], { ...POLICY_PRESETS['deny-all'] })}>
                    Deny all
                  </button>
                  <button type="button" onClick={() => ctx.set(['spec', 'defaultDeny'], { ...POLICY_PRESETS['deny-ingress'] })}>
                    Deny ingress only
                  </button>
                  <button type="button" onClick={() => ctx.set(['spec', 'defaultDeny'], { ...POLICY_PRESETS['allow-all'] })}>
                    Allow all
                  </button>
                </div>
                <CheckField ctx={ctx} path={['spec', 'defaultDeny', 'ingress']} label="Deny ingress by default" fallback />
                <CheckField ctx={ctx} path={['spec', 'defaultDeny', 'egress']} label="Deny egress by default" fallback />
              </fieldset>
              <fieldset>
                <legend>DNS (allowed when egress is denied)</legend>
                <div class="cols">
                  <TextField ctx={ctx} path={['spec', 'dns', 'namespace']} label="DNS namespace" optional hint="default kube-system" />
                  <SelectorField ctx={ctx} path={['spec', 'dns', 'podSelector']} label="DNS pods" optional hint="default k8s-app=kube-dns" />
                </div>
                <ListField ctx={ctx} path={['spec', 'dns', 'nodeLocalCIDRs']} label="NodeLocal DNS CIDRs" placeholder="169.254.20.10/32" />
              </fieldset>
              <fieldset>
                <legend>Instance metadata</legend>
                <CheckField ctx={ctx} path={['spec', 'instanceMetadata', 'deny']} label="Block pod egress to the metadata endpoints" fallback />
                <ListField ctx={ctx} path={['spec', 'instanceMetadata', 'cidrs']} label="Metadata CIDRs" placeholder="169.254.169.254/32, fd00:ec2::254/128" hint="default 169.254.169.254/32, fd00:ec2::254/128" />
                <MetadataExceptions ctx={ctx} />
              </fieldset>
              <NodeAccess ctx={ctx} />
              <ApiServerAccess ctx={ctx} />
              <AllowRules ctx={ctx} />
            </form>
          ) : (
            <div class="field">
              <label for="yaml-editor">Profile YAML (edits apply to the form)</label>
              <textarea
                id="yaml-editor"
                spellcheck={false}
                value={yamlText}
                rows={30}
                onInput={(e) => {
                  const text = (e.target as HTMLTextAreaElement).value;
                  setYamlText(text);
                  try {
                    setDoc(parse(text));
                    setYamlError(undefined);
                  } catch (err) {
                    setYamlError(String((err as Error).message).split('\n')[0]);
                  }
                }}
              />
              {yamlError && (
                <small class="error" role="alert">
                  {yamlError}
                </small>
              )}
            </div>
          )}
          <div class="save">
            {canSave ? (
              <>
                <button type="button" id="dry-run" disabled={busy || check.all.length > 0} onClick={() => void save(true)}>
                  Dry run
                </button>
                <button type="button" id="save" class="primary" disabled={busy || check.all.length > 0} onClick={() => void save(false)}>
                  Save (server-side apply)
                </button>
              </>
            ) : (
              <p class="muted">{props.session.readOnly ? 'Read-only console: saving is off.' : state.mode === 'offline' ? 'Offline (files): nothing to save to.' : ''} Copy the YAML:</p>
            )}
            {!canSave && (
              <button type="button" id="copy-yaml" onClick={() => void navigator.clipboard?.writeText(yaml)}>
                Copy YAML
              </button>
            )}
            {result && (
              <p class={`banner ${result.outcome === 'applied' || result.outcome === 'dry-run' ? 'ok' : 'bad'}`} id="save-result" role="status">
                {result.outcome}: {result.message}
              </p>
            )}
          </div>
        </div>
        <aside class="editor-side">
          <Card title={`Matches ${matched.length} namespace(s) now${check.profile ? '' : ' (last valid version)'}`} id="matched">
            <Pager
              items={matched}
              size={12}
              page={page}
              onPage={setPage}
              label="namespaces"
              render={(n) => (
                <div class="row" key={n.name}>
                  <button type="button" class={`link${n.name === nsName ? ' active' : ''}`} onClick={() => setPreviewNs(n.name)}>
                    {n.name}
                  </button>
                </div>
              )}
            />
          </Card>
          <Card title={ns && check.compiled ? `Preview for ${ns.name}: ${rendered.length} policies` : 'Preview'} id="preview">
            {!check.compiled && <p class="muted">Fix the problems to see the preview.</p>}
            {check.compiled && !ns && <p class="muted">No namespace matches: nothing would be rendered.</p>}
            {changes.map((c) => (
              <details key={c.name} class={`change ${c.kind}`} data-change={c.kind} data-policy={c.name} open={c.kind !== 'unchanged'}>
                <summary>
                  <code>{c.name}</code> <Badge kind={c.kind === 'unchanged' ? 'ok' : c.kind === 'removed' ? 'bad' : 'warn'}>{c.kind === 'added' ? (state.mode === 'live' ? 'new: not in the cluster' : 'new') : c.kind}</Badge>
                </summary>
                <pre class="diff">
                  {c.lines.map((l, i) => (
                    <div class={`line ${l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}`} key={i}>
                      {l.op} {l.text}
                    </div>
                  ))}
                </pre>
              </details>
            ))}
          </Card>
        </aside>
      </div>
    </div>
  );
}
